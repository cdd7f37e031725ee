"""The MCP client block against a real remote MCP server: the SDK's MCPServer over streamable
HTTP, served by uvicorn on 127.0.0.1, answering only a bearer token and counting the requests
it receives. The block runs with the platform's own host services (credential store, guarded
client, Django cache), and once inside a real workflow run."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from typing import Any

import anyio
import httpx2
import pytest

from apps.blocks.catalog import mcp_client
from apps.blocks.registry import BlockRegistry, defaults_applied
from apps.blocks.sdk import BlockError
from apps.connectors.outbound import BearerToken, BlockedDestination, SSRFPolicy
from apps.connectors.outbound.errors import McpUnauthorized
from apps.connectors.outbound.mcp import GuardedTransport
from apps.credentials import services as credentials
from apps.credentials.tests.oauth_server import OAuthProvider
from apps.workflows.block_host import block_services
from apps.workflows.models import Execution, ExecutionStep
from apps.workflows.runtime.run import execution_drain
from apps.workflows.services import execution_start, workflow_create
from tests.block_context import block_context
from tests.mcp_remote import TOKEN, RemoteServer, serve

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def _remote() -> Iterator[tuple[RemoteServer, str]]:
    remote = RemoteServer()
    for base in serve(remote):
        yield remote, f"{base}/mcp"


@pytest.fixture
def remote(_remote, settings) -> tuple[RemoteServer, str]:
    settings.OUTBOUND_ALLOWLIST = ["127.0.0.1"]
    server, url = _remote
    server.hits = 0
    server.seen.clear()
    server.accepts = server.bearer
    return server, url


@pytest.fixture
def credential(workspace):
    return credentials.credential_create(
        workspace=workspace, actor=None, name="Remote MCP", kind="bearer", secret={"token": TOKEN}
    )


def run_block(workspace: Any, execution_id: str | None = None, **config: Any) -> dict[str, Any]:
    """The block as a run executes it, with the platform's host services."""
    execution_id = execution_id or str(uuid.uuid4())
    registry = BlockRegistry()
    registry.register_module(mcp_client)
    block = registry.get("mcp_client")
    full = defaults_applied(block.spec.config_schema, config)
    assert not list(block.validator.iter_errors(full))
    ctx = block_context(
        "mcp",
        workspace_id=str(workspace.pk),
        services=block_services(workspace_id=workspace.pk, execution_id=execution_id),
        execution_id=execution_id,
    )
    return dict(block.execute(ctx, full, {}).outputs)


def test_list_tools_returns_the_tools_with_their_input_schemas(workspace, remote, credential):
    server, url = remote
    out = run_block(
        workspace, server_url=url, operation="list_tools", credential_id=str(credential.pk)
    )

    by_name = {t["name"]: t for t in out["tools"]}
    assert set(by_name) == {"add", "whoami", "unlock"} and out["count"] == 3
    assert by_name["add"]["description"] == "Add two integers."
    assert by_name["add"]["input_schema"]["required"] == ["a", "b"]
    assert by_name["add"]["input_schema"]["properties"]["a"]["type"] == "integer"
    assert out["cached"] is False and server.hits > 0
    assert set(server.seen) == {f"Bearer {TOKEN}"}


def test_the_tool_list_is_cached_until_its_ttl(workspace, remote, credential):
    server, url = remote
    config = {
        "server_url": url,
        "operation": "list_tools",
        "credential_id": str(credential.pk),
        "cache_ttl_s": 1,
    }
    first = run_block(workspace, **config)
    after_first = server.hits

    second = run_block(workspace, **config)
    assert server.hits == after_first  # answered from the cache, the server saw nothing
    assert second["cached"] is True and second["tools"] == first["tools"]

    time.sleep(1.2)
    third = run_block(workspace, **config)
    assert third["cached"] is False and server.hits > after_first


def test_call_tool_outputs_the_tools_result(workspace, remote, credential):
    _, url = remote
    out = run_block(
        workspace,
        server_url=url,
        tool="add",
        arguments={"a": 2, "b": 40},
        credential_id=str(credential.pk),
    )
    assert out["tool"] == "add" and out["text"] == "42"
    assert out["content"] == [{"type": "text", "text": "42"}]
    assert out["structured_content"] == {"result": 42}


def test_a_tool_error_fails_the_step_naming_the_tool(workspace, remote, credential):
    _, url = remote
    with pytest.raises(BlockError) as info:
        run_block(
            workspace,
            server_url=url,
            tool="unlock",
            arguments={"door": "front"},
            credential_id=str(credential.pk),
        )
    assert info.value.code == "tool_error" and not info.value.retryable
    assert (
        "tool 'unlock'" in info.value.message and "the front door is locked" in info.value.message
    )


def test_an_api_key_in_the_query_works_and_stays_out_of_the_logs(workspace, remote, caplog):
    server, url = remote
    keyed = credentials.credential_create(
        workspace=workspace,
        actor=None,
        name="Keyed",
        kind="api_key",
        config={"location": "query", "name": "key"},
        secret={"api_key": TOKEN},
    )
    with caplog.at_level(logging.DEBUG):
        out = run_block(
            workspace,
            server_url=url,
            tool="add",
            arguments={"a": 1, "b": 1},
            credential_id=str(keyed.pk),
        )
    assert out["text"] == "2" and set(server.seen) == {None}  # the key went in the query
    assert "httpx2" in {r.name for r in caplog.records}  # the URLs were logged ...
    assert TOKEN not in caplog.text  # ... without the key


def test_an_oauth_token_the_server_refuses_is_refreshed_once(workspace, remote):
    server, url = remote
    with OAuthProvider() as provider:
        provider.add_client(
            client_id="machine",
            client_secret="machine-secret-7Hq2",
            redirect_uris=["http://testserver/cb"],
            auth_method="client_secret_post",
        )
        machine = credentials.credential_create(
            workspace=workspace,
            actor=None,
            name="Machine",
            kind="oauth2_client",
            secret={"client_secret": "machine-secret-7Hq2"},
            config={
                "client_id": "machine",
                "token_url": provider.url("/token"),
                "token_auth": "client_secret_post",
                "scopes": ["read"],
            },
        )

        def live(authorization: str | None) -> bool:
            token = provider.token((authorization or "").removeprefix("Bearer "))
            return token is not None and not token.is_expired()

        server.accepts = live
        config = {"server_url": url, "tool": "add", "credential_id": str(machine.pk)}
        first = run_block(workspace, **config, arguments={"a": 1, "b": 2})
        for token in provider.tokens:  # expired early: the platform still thinks it valid
            token.expires_in = 0
        second = run_block(workspace, **config, arguments={"a": 2, "b": 2})

    assert (first["text"], second["text"]) == ("3", "4")
    assert provider.grants_issued("client_credentials") == 2  # one refresh, on the 401
    assert server.seen[-1] != server.seen[0]  # the call was repeated with the new token


def test_a_wrong_token_is_refused_without_leaking_it(workspace, remote):
    _, url = remote
    wrong = credentials.credential_create(
        workspace=workspace,
        actor=None,
        name="Old",
        kind="bearer",
        secret={"token": "mcp_revokedLongAgo000"},
    )
    with pytest.raises(BlockError) as info:
        run_block(workspace, server_url=url, operation="list_tools", credential_id=str(wrong.pk))
    assert info.value.code == "unauthorized" and "HTTP 401" in info.value.message
    assert "mcp_revokedLongAgo000" not in info.value.message


def test_a_private_address_off_the_allow_list_is_refused(workspace, remote, credential, settings):
    server, url = remote
    settings.OUTBOUND_ALLOWLIST = []
    with pytest.raises(BlockError) as info:
        run_block(
            workspace, server_url=url, operation="list_tools", credential_id=str(credential.pk)
        )
    assert info.value.code == "blocked_destination" and "loopback" in info.value.message
    assert server.hits == 0  # refused before connecting


def test_every_connection_of_the_transport_is_checked(remote):
    """Not only the endpoint checked up front: any request the SDK makes (a redirect hop, a
    reconnect) connects through the policy, and the credential goes to its origin only."""
    server, url = remote
    port = int(url.rsplit(":", 1)[1].split("/")[0])

    async def get(policy: SSRFPolicy, origin_port: int, target: str) -> int:
        # The transport pins the connection whatever URL the SDK asks for.
        transport = GuardedTransport(
            policy, origin=("http", "127.0.0.1", origin_port), auth=BearerToken(TOKEN)
        )
        async with httpx2.AsyncClient(transport=transport) as client:
            return (await client.get(target)).status_code

    with pytest.raises(BlockedDestination):
        anyio.run(get, SSRFPolicy(), port, url)
    assert server.hits == 0
    # Allowed, but the credential was configured for another origin: not sent, so refused.
    with pytest.raises(McpUnauthorized):
        anyio.run(get, SSRFPolicy(allowlist=["127.0.0.1"]), port + 1, url)
    assert server.seen == [None]


@pytest.mark.django_db(transaction=True)  # the engine's threads read what the test wrote
def test_a_run_records_the_tool_calls_without_the_token(workspace, user, remote, credential):
    _, url = remote

    def node(node_id: str, x: int, config: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": node_id,
            "type": "mcp_client",
            "position": {"x": x, "y": 0},
            "data": {"config": {"server_url": url, "credential_id": str(credential.pk), **config}},
        }

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
                node("sum", 240, {"tool": "add", "arguments": {"a": "{{ trigger.a }}", "b": 1}}),
                node("who", 480, {"tool": "whoami"}),
            ],
            "edges": [
                {"id": "e1", "source": "start", "target": "sum"},
                {"id": "e2", "source": "sum", "target": "who"},
            ],
        },
    )
    execution = execution_start(workflow=workflow, input={"a": 41}, draft=True, started_by=user)

    assert execution_drain(linger_s=0) == 1

    execution.refresh_from_db()
    assert execution.status == Execution.Status.SUCCEEDED, execution.error
    steps = {s.node_id: s for s in ExecutionStep.objects.filter(execution=execution)}
    assert steps["sum"].output["structured_content"] == {"result": 42}
    who = steps["who"].output
    assert who["text"] == "you sent Bearer [redacted]"
    assert TOKEN not in str(who) and TOKEN not in str(steps["sum"].output)
