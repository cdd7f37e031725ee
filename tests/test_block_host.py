"""Blocks that need the platform's data reach it through the host services of a real run."""

import json

import pytest

from apps.blocks.sdk import BlockError
from apps.connectors.models import Connector, ConnectorOperation
from apps.connectors.outbound.testing import LocalServer, Recorded, Reply
from apps.workflows.block_host import block_services

pytestmark = pytest.mark.django_db


def test_connector_operations_come_with_the_connectors_policies(workspace):
    connector = Connector.objects.create(
        slug="acme",
        name="Acme",
        base_url="https://api.acme.test",
        rate_limit={"limit": 10, "period": 60.0},
        retry_policy={"max_attempts": 2},
        breaker_policy={"failure_threshold": 3, "reset_timeout": 20.0},
    )
    ConnectorOperation.objects.create(
        connector=connector,
        key="list_items",
        name="List items",
        method="GET",
        path="/items/{id}",
        parameters_schema={"type": "object"},
    )
    ConnectorOperation.objects.create(
        connector=connector, key="off", name="Off", method="GET", path="/off", enabled=False
    )
    operations = block_services(workspace_id=workspace.id)["connectors"]

    found = operations.operation("acme", "list_items")
    assert (found["method"], found["path"], found["base_url"]) == (
        "GET",
        "/items/{id}",
        "https://api.acme.test",
    )
    target = found["target"]
    assert target.key == "connector:acme" and target.retry.max_attempts == 2
    assert (target.rate_limit.limit, target.rate_limit.period) == (10, 60.0)
    assert target.breaker.failure_threshold == 3
    assert operations.operation("acme", "off") is None
    assert operations.operation("nope", "list_items") is None


def test_vector_store_is_scoped_to_the_runs_workspace(workspace, other_workspace):
    mine = block_services(workspace_id=workspace.id)["vectors"]
    theirs = block_services(workspace_id=other_workspace.id)["vectors"]
    mine.upsert(collection="docs", items=[{"id": "a", "vector": [1.0, 0.0]}])
    assert [hit["id"] for hit in mine.query(collection="docs", vector=[1.0, 0.0], top_k=1)] == ["a"]
    assert theirs.query(collection="docs", vector=[1.0, 0.0], top_k=1) == []


def test_the_routers_agent_runs_catalogue_operations_against_the_real_api(workspace, settings):
    def item(recorded: Recorded) -> Reply:
        body = json.dumps({"id": recorded.path.rsplit("/", 1)[-1]}).encode()
        return Reply(200, {"Content-Type": "application/json"}, body)

    settings.OUTBOUND_ALLOWLIST = ["127.0.0.1"]
    with LocalServer(default=item) as server:
        connector = Connector.objects.create(slug="local", name="Local", base_url=server.url(""))
        ConnectorOperation.objects.create(
            connector=connector,
            key="get_item",
            name="Get item",
            method="GET",
            path="/items/{id}",
            parameters_schema={
                "type": "object",
                "required": ["id"],
                "properties": {"id": {"type": "string", "x-in": "path"}},
            },
        )
        executor = block_services(workspace_id=workspace.id)["router"].executor
        assert executor("local", "get_item", {"id": "a b"})["body"] == {"id": "a%20b"}
        with pytest.raises(BlockError, match="id"):
            executor("local", "get_item", {})
    assert [r.path for r in server.requests] == ["/items/a%20b"]
