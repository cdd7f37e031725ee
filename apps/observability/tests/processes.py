"""Real processes for the metric-file tests: gunicorn as `make run` starts it, on a metrics
folder of the test's own, and a scrape of its /metrics over HTTP."""

from __future__ import annotations

import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from tests.test_triggers_e2e import free_port
from tests.worker import ROOT, wait_for, worker_env

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@contextmanager
def gunicorn(metrics: Path, *args: str, workers: int = 1) -> Iterator[tuple[subprocess.Popen, str]]:
    """The master and its host:port, once it answers; `args` go to its command line."""
    port = free_port()
    env = {
        **worker_env(),
        "PROMETHEUS_MULTIPROC_DIR": str(metrics),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": str(workers),
    }
    master = subprocess.Popen(  # noqa: S603 (our own command line)
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-c", "python:config.gunicorn", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    address = f"127.0.0.1:{port}"
    try:

        def up() -> bool:
            try:
                with urllib.request.urlopen(f"http://{address}/health", timeout=1):
                    return True
            except OSError:
                assert master.poll() is None, "gunicorn exited"
                return False

        wait_for(up)
        yield master, address
    finally:
        master.terminate()
        master.wait(timeout=20)


def scrape(address: str) -> Samples:
    """GET /metrics of the server at host:port, parsed."""
    with urllib.request.urlopen(f"http://{address}/metrics", timeout=30) as answer:
        assert answer.status == 200
        text = answer.read().decode()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def sample(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def worker_pids(master: int) -> list[int]:
    """Children of `master`, whichever of its threads forked them (Celery's pool forks
    replacements from a thread of its own)."""
    pids: list[int] = []
    for task in Path(f"/proc/{master}/task").iterdir():
        try:
            pids += [int(pid) for pid in (task / "children").read_text().split()]
        except FileNotFoundError:  # a thread that has just ended
            continue
    return pids


def file_pids(metrics: Path) -> set[int]:
    """The pids that have per-process files in the folder (archives have none)."""
    return {
        int(path.stem.rpartition("_")[2])
        for path in metrics.glob("*.db")
        if path.stem.rpartition("_")[2].isdigit()
    }
