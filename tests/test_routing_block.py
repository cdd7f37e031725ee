"""The Semantic Router block end to end: routes with the real router, runs the chosen
operation through the tool-calling agent (local OpenAI-compatible server + local API)."""

from __future__ import annotations

from typing import Any

import pytest

from apps.blocks.catalog import semantic_router
from apps.blocks.registry import BlockRegistry, defaults_applied
from apps.blocks.sdk import BlockError
from apps.connectors.models import Connector, ConnectorOperation
from apps.routing import services
from apps.routing.encoders import get_encoder
from apps.routing.llm import ChatClient
from apps.routing.ports import RoutingService
from apps.routing.tests.factories import ALL_MAPS
from apps.routing.tests.servers import FakeOpenAI, JsonApi
from tests.block_context import block_context

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _isolation(settings):
    settings.OUTBOUND_ALLOWLIST = ["127.0.0.1"]
    services.router_reset()
    yield
    services.router_reset()


@pytest.fixture
def servers():
    llm, api = FakeOpenAI(), JsonApi()
    yield llm, api
    llm.close()
    api.close()


def run(service: Any, **config: Any):
    block = BlockRegistry()
    block.register_module(semantic_router)
    registered = block.get("semantic_router")
    full = defaults_applied(registered.spec.config_schema, config)
    assert not list(registered.validator.iter_errors(full))
    return registered.execute(block_context("route", services={"router": service}), full, {})


@pytest.fixture
def calendar_connector(db):
    connector = Connector.objects.create(
        slug="google-calendar",
        name="Google Calendar",
        tool_role="Scheduler",
        tool_goal="Keep the diary",
    )
    ConnectorOperation.objects.create(
        connector=connector,
        key="calendar.events.insert",
        name="Create event",
        method="POST",
        path="/events",
        description="Creates an event.",
        parameters_schema={"type": "object", "properties": {}},
        body_schema={
            "type": "object",
            "required": ["summary"],
            "properties": {"summary": {"type": "string"}},
        },
    )
    get_encoder()
    services.route_map_import(data=ALL_MAPS)
    return connector


def test_block_routes_and_takes_the_matched_port(calendar_connector):
    result = run(RoutingService(), query="put a meeting with Ana on my calendar tomorrow")
    assert result.handles == ("matched",)
    out = result.outputs
    assert out["matched"] and out["operation"] == "calendar.events.insert"
    assert out["arguments"] == {"when": ["tomorrow"]} and out["result"] is None


def test_block_takes_no_route_for_mars(calendar_connector):
    result = run(RoutingService(), query="what's the weather like on Mars")
    assert result.handles == ("no_route",)
    assert result.outputs["route"] is None and result.outputs["alternatives"]


def test_node_threshold_overrides_the_router(calendar_connector):
    strict = run(
        RoutingService(), query="put a meeting with Ana on my calendar tomorrow", threshold=0.9999
    )
    assert strict.handles == ("no_route",) and "node's threshold" in strict.outputs["reasoning"]


def test_block_runs_the_chosen_operation_through_the_agent(calendar_connector, servers):
    llm, api = servers

    def executor(connector: str, operation: str, arguments: dict[str, Any]) -> Any:
        from apps.routing.http import outbound_client

        response = outbound_client().request("POST", api.url + "/events", json=arguments["body"])
        return response.json()

    llm.reply(
        tool_calls=[
            {
                "name": "calendar_events_insert",
                "arguments": {"body": {"summary": "Meeting with Ana"}},
            }
        ]
    )
    llm.reply(content="Booked.")
    service = RoutingService(executor=executor, llm=ChatClient(base_url=llm.url + "/v1", model="m"))
    result = run(service, query="put a meeting with Ana on my calendar tomorrow", execute=True)
    out = result.outputs
    assert out["result"] == "Booked." and api.events[0]["summary"] == "Meeting with Ana"
    assert [s["type"] for s in out["agent"]["trace"]] == ["llm", "tool", "llm"]
    task = llm.chat_requests()[0]["body"]["messages"][1]["content"]
    assert "put a meeting with Ana" in task and "tomorrow" in task  # modifier arguments too


def test_agent_model_failure_is_a_retryable_block_error(calendar_connector, servers):
    llm, _ = servers
    llm.fail(400)
    service = RoutingService(executor=lambda *a: None, llm=ChatClient(base_url=llm.url, model="m"))
    with pytest.raises(BlockError) as info:
        run(service, query="put a meeting with Ana on my calendar tomorrow", execute=True)
    assert info.value.retryable and info.value.code == "agent_failed"


def test_a_host_without_a_router_is_a_clear_error():
    with pytest.raises(BlockError, match=r"ctx.services\['router'\]"):
        semantic_router.execute(block_context("route"), {"query": "x"}, {})
