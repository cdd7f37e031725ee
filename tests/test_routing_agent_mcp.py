"""The Semantic Router's agent offered a remote MCP server's tools beside the chosen catalogue
operation: a local OpenAI-compatible server scripts the calls, a real MCP server (tests/
mcp_remote.py) answers them with the workspace's bearer credential, a local API stands in for
GitHub."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from apps.blocks.sdk import BlockError
from apps.connectors.models import Connector, ConnectorOperation
from apps.credentials import services as credentials
from apps.routing import services
from apps.routing.tests.servers import FakeOpenAI
from tests.mcp_remote import TOKEN, RemoteServer, serve
from tests.test_routing_agent_credentials import ISSUES, GitHub, run_block
from tests.test_routing_agent_credentials import TOKEN as GITHUB_TOKEN

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _isolation(settings):
    settings.OUTBOUND_ALLOWLIST = ["127.0.0.1"]
    services.router_reset()
    yield
    services.router_reset()


@pytest.fixture
def llm() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI()
    yield server
    server.close()


@pytest.fixture
def github() -> Iterator[Connector]:
    server = GitHub()
    connector = Connector.objects.create(
        slug="github",
        name="GitHub",
        base_url=server.url,
        auth_schemes=[{"type": "bearer"}],
        utterances=["github issues"],
    )
    ConnectorOperation.objects.create(
        connector=connector,
        key="issues.list",
        name="List issues",
        method="GET",
        path="/repos/{owner}/{repo}/issues",
        parameters_schema=ISSUES,
        utterances=["list the open issues of a repository"],
    )
    yield connector
    server.close()


@pytest.fixture(scope="module")
def _remote() -> Iterator[tuple[RemoteServer, str]]:
    remote = RemoteServer()
    for base in serve(remote):
        yield remote, f"{base}/mcp"


@pytest.fixture
def remote(_remote) -> tuple[RemoteServer, str]:
    server, url = _remote
    server.hits = 0
    server.seen.clear()
    return server, url


@pytest.fixture
def connected(workspace, github):
    credentials.credential_create(
        workspace=workspace,
        actor=None,
        name="GitHub",
        kind="bearer",
        secret={"token": GITHUB_TOKEN},
        connector=github,
    )
    return credentials.credential_create(
        workspace=workspace, actor=None, name="Remote MCP", kind="bearer", secret={"token": TOKEN}
    )


def offered_tools(llm: Any) -> list[str]:
    return [t["function"]["name"] for t in llm.chat_requests()[0]["body"]["tools"]]


def test_the_agent_calls_an_mcp_tool_beside_the_catalogue_operation(
    workspace, llm, remote, connected
):
    _, url = remote
    llm.reply(tool_calls=[{"name": "add", "arguments": {"a": 40, "b": 2}}])
    llm.reply(tool_calls=[{"name": "whoami", "arguments": {}}])
    llm.reply(content="The sum is 42.")

    out = run_block(
        workspace,
        llm,
        mcp_servers=[{"url": url, "credential_id": str(connected.pk), "tools": ["add", "whoami"]}],
    ).outputs

    assert out["result"] == "The sum is 42."
    assert offered_tools(llm) == ["issues_list", "add", "whoami"]  # unlock was not chosen
    calls = [step for step in out["agent"]["trace"] if step["type"] == "tool"]
    assert calls[0]["connector"] == "mcp:0" and calls[0]["operation"] == "add"
    assert calls[0]["result"]["structured_content"] == {"result": 42}
    assert calls[1]["result"]["content"][0]["text"] == "you sent Bearer [redacted]"
    assert TOKEN not in str(out)
    assert all(TOKEN not in str(r["body"]) for r in llm.chat_requests())  # nor the model


def test_a_tool_error_goes_back_to_the_model(workspace, llm, remote, connected):
    _, url = remote
    llm.reply(tool_calls=[{"name": "unlock", "arguments": {"door": "back"}}])
    llm.reply(content="The door stays locked.")

    out = run_block(
        workspace, llm, mcp_servers=[{"url": url, "credential_id": str(connected.pk)}]
    ).outputs

    call = next(step for step in out["agent"]["trace"] if step["type"] == "tool")
    assert "tool 'unlock' reported an error" in call["error"]
    assert "the back door is locked" in call["error"]
    assert out["result"] == "The door stays locked."


def test_an_mcp_server_off_the_allow_list_fails_before_the_model_is_asked(
    workspace, llm, remote, connected, settings
):
    server, url = remote
    settings.OUTBOUND_ALLOWLIST = []
    llm.reply(content="never asked")

    with pytest.raises(BlockError) as info:
        run_block(workspace, llm, mcp_servers=[{"url": url, "credential_id": str(connected.pk)}])

    assert info.value.code == "mcp_unavailable" and "loopback" in info.value.message
    assert server.hits == 0 and llm.chat_requests() == []
