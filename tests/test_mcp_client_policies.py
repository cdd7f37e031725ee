"""The MCP client's calls under the outbound policies of any connector call, against a real
remote MCP server (the SDK's MCPServer on uvicorn, 127.0.0.1): the per-server circuit breaker,
the per-server rate limit, and the call counts (the Status page's rows, the Prometheus
histogram, the client's per-target counters)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.cache import cache

from apps.blocks.catalog import mcp_client
from apps.blocks.registry import BlockRegistry, defaults_applied
from apps.blocks.sdk import BlockError
from apps.connectors.call_metrics import calls_for
from apps.connectors.models import ConnectorCallBucket
from apps.credentials.resolver import outbound_http
from apps.observability.metrics import API_CALL_DURATION
from apps.workflows.block_host import block_services
from apps.workflows.models import Execution
from apps.workflows.runtime.run import execution_drain
from apps.workflows.services import execution_start, workflow_create
from tests.block_context import block_context
from tests.mcp_remote import RemoteServer, serve

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def _remote() -> Iterator[tuple[RemoteServer, str]]:
    remote = RemoteServer()
    remote.accepts = lambda authorization: True  # no credential: the policies are the subject
    for base in serve(remote):
        yield remote, f"{base}/mcp"


@pytest.fixture
def remote(_remote, settings) -> Iterator[tuple[RemoteServer, str]]:
    settings.OUTBOUND_ALLOWLIST = ["127.0.0.1"]
    server, url = _remote
    server.hits, server.down = 0, False
    cache.clear()  # breakers and rate windows live in the cache, per server
    yield server, url
    cache.clear()


def target_of(url: str) -> str:
    return "mcp:" + url.split("://", 1)[1].split("/", 1)[0]


def run_block(workspace: Any, **config: Any) -> dict[str, Any]:
    """The block as a run executes it, with the platform's host services."""
    execution_id = str(uuid.uuid4())
    registry = BlockRegistry()
    registry.register_module(mcp_client)
    block = registry.get("mcp_client")
    full = defaults_applied(block.spec.config_schema, config)
    ctx = block_context(
        "mcp",
        workspace_id=str(workspace.pk),
        services=block_services(workspace_id=workspace.pk, execution_id=execution_id),
        execution_id=execution_id,
    )
    with calls_for(workspace_id=workspace.pk):
        return dict(block.execute(ctx, full, {}).outputs)


def add(workspace: Any, url: str) -> dict[str, Any]:
    return run_block(workspace, server_url=url, tool="add", arguments={"a": 1, "b": 2})


def test_the_breaker_opens_after_failures_and_the_block_fails_fast(workspace, remote, settings):
    server, url = remote
    # A short reset: a wait of more than 5 s would park the run (the next test) instead.
    settings.MCP_CLIENT_BREAKER = {"failure_threshold": 2, "reset_timeout": 3}
    server.down = True
    for _ in range(2):
        with pytest.raises(BlockError) as failed:
            add(workspace, url)
        assert failed.value.code == "mcp_error" and failed.value.retryable
        assert "HTTP 503" in failed.value.message
    reached = server.hits
    server.down = False  # back up, but the breaker is open until its reset timeout

    with pytest.raises(BlockError) as refused:
        add(workspace, url)
    assert refused.value.code == "circuit_open" and refused.value.retryable
    assert "circuit breaker is open, so it was not called" in refused.value.message
    assert "127.0.0.1" in refused.value.message
    assert 0 < refused.value.retry_after <= 3
    assert server.hits == reached  # failed fast: nothing was sent
    # The tool list goes through the same breaker.
    with pytest.raises(BlockError) as listing:
        run_block(workspace, server_url=url, operation="list_tools", cache_ttl_s=0)
    assert listing.value.code == "circuit_open"
    assert server.hits == reached

    # Past the reset timeout a probe goes through, and its success closes the breaker.
    time.sleep(refused.value.retry_after + 0.1)
    assert add(workspace, url)["structured_content"] == {"result": 3}
    assert add(workspace, url)["structured_content"] == {"result": 3}


def test_a_long_open_breaker_parks_the_step_instead_of_failing_it(workspace, remote, settings):
    server, url = remote
    settings.MCP_CLIENT_BREAKER = {"failure_threshold": 1, "reset_timeout": 600}
    server.down = True
    with pytest.raises(BlockError):
        add(workspace, url)
    execution_id = str(uuid.uuid4())
    registry = BlockRegistry()
    registry.register_module(mcp_client)
    block = registry.get("mcp_client")
    config = {"server_url": url, "tool": "add", "arguments": {"a": 1, "b": 2}}
    ctx = block_context(
        "mcp",
        workspace_id=str(workspace.pk),
        services=block_services(workspace_id=workspace.pk, execution_id=execution_id),
        execution_id=execution_id,
    )
    result = block.execute(ctx, defaults_applied(block.spec.config_schema, config), {})
    assert result.park is not None and "circuit breaker is open" in result.park.reason
    assert 500 < (result.park.until - datetime.now(UTC)).total_seconds() <= 600


def test_the_servers_rate_limit_is_honoured(workspace, remote, settings):
    server, url = remote
    settings.MCP_CLIENT_RATE_LIMIT = {"limit": 2, "period": 4, "max_wait": 0}
    assert add(workspace, url)["structured_content"] == {"result": 3}
    run_block(workspace, server_url=url, operation="list_tools", cache_ttl_s=0)
    reached = server.hits

    with pytest.raises(BlockError) as limited:
        add(workspace, url)
    assert limited.value.code == "rate_limited" and limited.value.retryable
    assert "rate limit of MCP server '127.0.0.1' is reached" in limited.value.message
    assert 0 < limited.value.retry_after <= 4
    assert server.hits == reached  # refused before any request


def test_calls_are_counted_for_the_workspace_and_the_metrics(workspace, remote):
    server, url = remote
    target = target_of(url)

    def histogram(status_class: str) -> float:
        return sum(
            s.value
            for metric in API_CALL_DURATION.collect()
            for s in metric.samples
            if s.name.endswith("_count")
            and s.labels == {"connector": "mcp", "status_class": status_class}
        )

    ok_before, failed_before = histogram("2xx"), histogram("error")
    before = outbound_http().metrics(target)
    add(workspace, url)
    run_block(workspace, server_url=url, operation="list_tools", cache_ttl_s=0)
    server.down = True
    with pytest.raises(BlockError):
        add(workspace, url)

    row = ConnectorCallBucket.objects.get(workspace=workspace, connector=target)
    assert (row.calls, row.failures, row.rate_limited) == (3, 1, 0)
    assert "HTTP 503" in row.last_error
    assert row.last_success_at is not None and row.last_failure_at is not None
    assert histogram("2xx") == ok_before + 2
    assert histogram("error") == failed_before + 1
    after = outbound_http().metrics(target)
    assert after.calls_total - before.calls_total == 3
    assert (after.succeeded - before.succeeded, after.failed - before.failed) == (2, 1)


@pytest.mark.django_db(transaction=True)  # the engine's threads read what the test wrote
def test_a_runs_mcp_calls_land_on_the_workspaces_call_rows(workspace, user, remote, api):
    _, url = remote
    workflow = workflow_create(
        workspace=workspace,
        name="remote tools",
        created_by=user,
        graph={
            "nodes": [
                {
                    "id": "start",
                    "type": "manual_trigger",
                    "position": {"x": 0, "y": 0},
                    "data": {"config": {}},
                },
                {
                    "id": "sum",
                    "type": "mcp_client",
                    "position": {"x": 240, "y": 0},
                    "data": {"config": {"server_url": url, "tool": "add", "arguments": {"a": 2}}},
                },
            ],
            "edges": [{"id": "e1", "source": "start", "target": "sum"}],
        },
    )
    execution = execution_start(workflow=workflow, input={}, draft=True, started_by=user)
    assert execution_drain(linger_s=0) == 1
    execution.refresh_from_db()
    # The tool refuses the call (b is missing) as a result: the session happened, and counts.
    assert execution.status == Execution.Status.FAILED
    assert "tool 'add'" in execution.error["message"]
    row = ConnectorCallBucket.objects.get(workspace=workspace, connector=target_of(url))
    assert (row.calls, row.failures) == (1, 0)
    # ... and on the Status page, as a server of its own.
    status = api.get("/api/v1/connectors/status/", {"workspace": str(workspace.pk)}).json()
    [server] = status["mcp_servers"]
    assert server["server"] == target_of(url).removeprefix("mcp:")
    assert server["figures"]["calls"] == 1 and server["last_success_at"]
