"""The embedded broker under load: the failure that took `make run` down (kombu's filesystem
transport handing a worker a half-written message: `JSONDecodeError`, worker gone) cannot
happen on it. benchmarks/broker_transports.py runs the same load on the old transport."""

import pytest

from config.embedded import ThrowawayBroker
from tests.broker_stress import run_stress


@pytest.mark.timeout(180)
def test_embedded_broker_delivers_every_message_once_under_load(tmp_path):
    # Its own server (not the session's), with the configuration `make run` uses.
    server = ThrowawayBroker(tmp_path / "redis", persistent=True).start()
    try:
        outcome = run_stress(
            broker_url=server.url,
            out=tmp_path / "out",
            producers=8,
            per_producer=2500,
            workers=2,
            concurrency=2,
            timeout=110,
        )
    finally:
        server.stop()
    assert outcome.sent >= 20_000
    assert outcome.worker_deaths == [] and outcome.crash_lines == []
    assert outcome.missing == 0, outcome
    assert outcome.duplicates == 0, outcome
    assert outcome.consumed == outcome.sent, outcome
