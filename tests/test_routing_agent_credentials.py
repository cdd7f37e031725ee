"""The Semantic Router's agent acts with the workspace's credential for the chosen connector:
a local OpenAI-compatible server scripts the tool calls, a local API stands in for GitHub
and checks the bearer token, the local OAuth2 server refreshes an expired token mid-agent."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from apps.blocks.catalog import semantic_router
from apps.blocks.registry import BlockRegistry, defaults_applied
from apps.blocks.sdk import BlockError
from apps.connectors.models import Connector, ConnectorOperation
from apps.credentials import services as credentials
from apps.credentials.tests.oauth_server import OAuthProvider
from apps.routing import services
from apps.routing.llm import ChatClient
from apps.routing.ports import RoutingService
from apps.routing.tests.servers import FakeOpenAI, _Server
from apps.workflows.block_host import block_services
from apps.workflows.models import Execution, ExecutionStep
from apps.workflows.runtime.run import execution_drain
from apps.workflows.services import execution_start, workflow_create
from tests.block_context import block_context

pytestmark = pytest.mark.django_db

TOKEN = "ghp_agentToken0123456789abcdef"
ISSUES = {
    "type": "object",
    "required": ["owner", "repo"],
    "properties": {
        "owner": {"type": "string", "x-in": "path"},
        "repo": {"type": "string", "x-in": "path"},
    },
}


class GitHub(_Server):
    """Answers /repos/{owner}/{repo}/issues to the bearer token only, like api.github.com;
    the body echoes the Authorization header (as a debugging proxy might) to prove it is
    redacted before the model or the trace see it."""

    def __init__(self) -> None:
        super().__init__(self._answer)

    def _answer(
        self, method: str, path: str, headers: dict[str, str], body: Any
    ) -> tuple[int, Any]:
        if headers.get("authorization") != f"Bearer {TOKEN}":
            return 401, {"message": "Bad credentials"}
        return 200, {
            "issues": [{"number": 7, "title": "Crash on save"}],
            "seen": headers["authorization"],
        }


@pytest.fixture(autouse=True)
def _isolation(settings):
    settings.OUTBOUND_ALLOWLIST = ["127.0.0.1"]
    services.router_reset()
    yield
    services.router_reset()


@pytest.fixture
def llm():
    server = FakeOpenAI()
    yield server
    server.close()


@pytest.fixture
def github():
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
    yield server, connector
    server.close()


def run_block(workspace: Any, llm: FakeOpenAI, **config: Any) -> Any:
    """The block as a run executes it, with the platform's own tool executor and MCP client
    (test_routing_agent_mcp.py runs it too)."""
    execution_id = str(uuid.uuid4())
    host = block_services(workspace_id=workspace.pk, execution_id=execution_id)
    service = RoutingService(
        executor=host["router"].executor,
        mcp=host["mcp"],
        llm=ChatClient(base_url=llm.url, model="m"),
    )
    registry = BlockRegistry()
    registry.register_module(semantic_router)
    block = registry.get("semantic_router")
    full = defaults_applied(
        block.spec.config_schema,
        {
            "query": "list the open issues of octo/hello",
            "connector": "github",
            "threshold": 0.0,
            "execute": True,
            **config,
        },
    )
    assert not list(block.validator.iter_errors(full))
    ctx = block_context(
        "agent",
        workspace_id=str(workspace.pk),
        services={"router": service},
        execution_id=execution_id,
    )
    return block.execute(ctx, full, {})


def _script_issue_calls(llm: FakeOpenAI, calls: int = 1) -> None:
    for _ in range(calls):
        llm.reply(
            tool_calls=[{"name": "issues_list", "arguments": {"owner": "octo", "repo": "hello"}}]
        )
    llm.reply(content="Issue #7: Crash on save.")


def test_the_agent_calls_github_with_the_workspaces_connected_credential(workspace, llm, github):
    server, connector = github
    credentials.credential_create(
        workspace=workspace,
        actor=None,
        name="GitHub",
        kind="bearer",
        secret={"token": TOKEN},
        connector=connector,
    )
    _script_issue_calls(llm)

    out = run_block(workspace, llm).outputs

    assert out["result"] == "Issue #7: Crash on save."
    tool = next(step for step in out["agent"]["trace"] if step["type"] == "tool")
    assert tool["result"]["status"] == 200 and "error" not in tool
    assert server.requests[0]["path"] == "/repos/octo/hello/issues"
    assert TOKEN not in str(out)  # the echoed header is redacted from the trace ...
    assert all(TOKEN not in str(r["body"]) for r in llm.chat_requests())  # ... and the model


@pytest.mark.django_db(transaction=True)  # the engine's threads read what the test wrote
def test_a_run_records_the_agents_steps_without_the_token(workspace, user, llm, github, settings):
    _, connector = github
    settings.ROUTING_LLM_URL, settings.ROUTING_LLM_MODEL = llm.url, "m"
    credentials.credential_create(
        workspace=workspace,
        actor=None,
        name="GitHub",
        kind="bearer",
        secret={"token": TOKEN},
        connector=connector,
    )
    _script_issue_calls(llm)
    workflow = workflow_create(
        workspace=workspace,
        name="triage",
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
                    "id": "agent",
                    "type": "semantic_router",
                    "position": {"x": 240, "y": 0},
                    "data": {
                        "config": {
                            "query": "list the open issues of octo/hello",
                            "connector": "github",
                            "threshold": 0.0,
                            "execute": True,
                        }
                    },
                },
            ],
            "edges": [{"id": "e1", "source": "start", "target": "agent"}],
        },
    )
    execution = execution_start(workflow=workflow, input={}, draft=True, started_by=user)

    assert execution_drain(linger_s=0) == 1

    execution.refresh_from_db()
    assert execution.status == Execution.Status.SUCCEEDED, execution.error
    step = ExecutionStep.objects.get(execution=execution, node_id="agent")
    assert step.output["result"] == "Issue #7: Crash on save."
    assert TOKEN not in str(step.output) and "[redacted]" in str(step.output)


def test_the_credential_set_on_the_block_wins_over_the_connected_one(workspace, llm, github):
    _, connector = github
    credentials.credential_create(
        workspace=workspace,
        actor=None,
        name="Stale",
        kind="bearer",
        secret={"token": "ghp_revokedLongAgo000"},
        connector=connector,
    )
    chosen = credentials.credential_create(
        workspace=workspace, actor=None, name="Bot", kind="bearer", secret={"token": TOKEN}
    )
    _script_issue_calls(llm)

    out = run_block(workspace, llm, credentials={"github": str(chosen.pk)}).outputs

    tool = next(step for step in out["agent"]["trace"] if step["type"] == "tool")
    assert tool["result"]["status"] == 200


def test_without_a_credential_the_step_fails_naming_the_connector(workspace, llm, github):
    _script_issue_calls(llm)
    with pytest.raises(BlockError, match="'github' needs a credential") as info:
        run_block(workspace, llm)
    assert info.value.code == "credential_required" and not info.value.retryable
    assert llm.chat_requests() == []  # failed before spending a model turn


def test_two_connected_credentials_must_be_chosen_between(workspace, llm, github):
    _, connector = github
    for name in ("One", "Two"):
        credentials.credential_create(
            workspace=workspace,
            actor=None,
            name=name,
            kind="bearer",
            secret={"token": TOKEN + name},
            connector=connector,
        )
    with pytest.raises(BlockError, match=r"2 connected credentials .*choose one"):
        run_block(workspace, llm)


def test_a_credential_of_another_workspace_is_unknown(workspace, other_workspace, llm, github):
    theirs = credentials.credential_create(
        workspace=other_workspace, actor=None, name="Theirs", kind="bearer", secret={"token": TOKEN}
    )
    with pytest.raises(BlockError, match="does not exist in this workspace"):
        run_block(workspace, llm, credentials={"github": str(theirs.pk)})


class ExpiringModel(FakeOpenAI):
    """The model's second turn comes after the provider expired every access token early."""

    def __init__(self, provider: OAuthProvider) -> None:
        self.provider = provider
        super().__init__()

    def _answer(
        self, method: str, path: str, headers: dict[str, str], body: Any
    ) -> tuple[int, Any]:
        if len(self.chat_requests()) == 2:
            for token in self.provider.tokens:
                token.expires_in = 0
        return super()._answer(method, path, headers, body)


def test_an_expired_oauth_token_is_refreshed_mid_agent(workspace):
    with OAuthProvider() as provider:
        provider.add_client(
            client_id="machine",
            client_secret="machine-secret-7Hq2",
            redirect_uris=["http://testserver/cb"],
            auth_method="client_secret_post",
        )
        connector = Connector.objects.create(
            slug="github",
            name="GitHub",
            base_url=provider.url(""),
            auth_schemes=[{"type": "oauth2"}],
        )
        ConnectorOperation.objects.create(
            connector=connector,
            key="issues.list",
            name="List issues",
            method="GET",
            path="/api/me",
            utterances=["list the open issues of a repository"],
        )
        credentials.credential_create(
            workspace=workspace,
            actor=None,
            name="Machine",
            kind="oauth2_client",
            connector=connector,
            secret={"client_secret": "machine-secret-7Hq2"},
            config={
                "client_id": "machine",
                "token_url": provider.url("/token"),
                "token_auth": "client_secret_post",
                "scopes": ["read"],
            },
        )
        llm = ExpiringModel(provider)
        try:
            _script_issue_calls(llm, calls=2)
            out = run_block(workspace, llm).outputs
        finally:
            llm.close()

    tools = [step for step in out["agent"]["trace"] if step["type"] == "tool"]
    assert [t["result"]["status"] for t in tools] == [200, 200]
    assert provider.grants_issued("client_credentials") == 2  # one refresh, on the 401
