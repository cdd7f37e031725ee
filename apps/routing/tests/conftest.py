"""Routing test fixtures. The real MiniLM encoder is loaded once per test process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from apps.routing import services
from apps.routing.encoders import get_encoder
from apps.routing.tests.factories import ALL_MAPS
from apps.routing.tests.servers import FakeOpenAI, JsonApi


@pytest.fixture(scope="session")
def encoder():
    return get_encoder()


@pytest.fixture(autouse=True)
def _routing_isolation(settings) -> Iterator[None]:
    settings.OUTBOUND_ALLOWLIST = ["127.0.0.1"]
    settings.ROUTING_LLM_URL = ""
    services.router_reset()
    yield
    services.router_reset()


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI()
    yield server
    server.close()


@pytest.fixture
def json_api() -> Iterator[JsonApi]:
    server = JsonApi()
    yield server
    server.close()


@pytest.fixture
def route_maps(db, encoder):
    return services.route_map_import(data=ALL_MAPS, source="tests")
