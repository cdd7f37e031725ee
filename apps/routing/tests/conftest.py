"""Routing test fixtures. The real MiniLM encoder is loaded once per test process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from apps.routing.encoders import get_encoder
from apps.routing.tests.servers import FakeOpenAI


@pytest.fixture(scope="session")
def encoder():
    return get_encoder()


@pytest.fixture(autouse=True)
def _routing_isolation(settings) -> Iterator[None]:
    settings.OUTBOUND_ALLOWLIST = ["127.0.0.1"]
    yield


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI()
    yield server
    server.close()
