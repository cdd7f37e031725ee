"""The workspace prior end to end on shipped catalogue connectors: the issue's stories at the
router's default thresholds (no connector threshold lowered), the block host passing the
workspace to the router, and the cached prior following credentials and workflows."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from apps.blocks.catalog import semantic_router
from apps.blocks.registry import BlockRegistry, defaults_applied
from apps.connectors.models import Connector
from apps.credentials.services import credential_create
from apps.routing import services
from apps.routing.encoders import get_encoder
from apps.routing.llm import ChatClient
from apps.routing.models import UtteranceVector
from apps.routing.params import DEFAULT_PARAMS
from apps.routing.ports import RoutingService
from apps.routing.tests.servers import FakeOpenAI, _Server
from apps.routing.workspace import workspace_prior, workspace_prior_changed
from apps.workflows.block_host import block_services
from apps.workflows.services import workflow_create
from apps.workspaces.tests.factories import WorkspaceFactory
from tests.block_context import block_context

pytestmark = pytest.mark.django_db

# The story connectors and the ones that compete with them (calendars, issue trackers, chat).
SLUGS = (
    "google-calendar",
    "microsoft-graph",
    "onsched",
    "zoom",
    "github",
    "gitlab",
    "jira",
    "gitea",
    "slack",
    "trello",
)
CALENDAR_QUERY = "put a meeting with Ana on my calendar tomorrow"
GITHUB_QUERY = "open an issue in flowplane about the login bug"
MARS_QUERY = "what's the weather like on Mars"
GITHUB_TOKEN = "ghp_storyToken0123456789abcdef"
ROUTE = "/api/v1/routing/route"


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker):
    """These connectors from the shipped catalogue, with no connector threshold of their own."""
    with django_db_blocker.unblock():
        call_command("load_catalog", "--only", *SLUGS, stdout=StringIO())
        Connector.objects.update(route_threshold=None)
        get_encoder()
        services.router_reset()
        services.router_get()  # encodes the utterances once for the module
        yield
        Connector.objects.all().delete()
        UtteranceVector.objects.all().delete()


@pytest.fixture(autouse=True)
def _fresh(settings):
    settings.ROUTING_LLM_URL = ""
    services.router_reset()
    yield
    services.router_reset()


def connect(workspace, user, slug):
    return credential_create(
        workspace=workspace,
        actor=user,
        name=f"{slug} token",
        kind="bearer",
        secret={"token": "t0ken-value"},
        connector=Connector.objects.get(slug=slug),
    )


def test_stories_route_at_the_default_threshold_with_the_workspace(catalogue, workspace, user):
    router = services.router_get()
    assert all(c.threshold is None for c in router.index.connectors)
    assert router.params.threshold == DEFAULT_PARAMS.threshold
    assert router.params.workspace_threshold == DEFAULT_PARAMS.workspace_threshold
    service = RoutingService(workspace_id=workspace.pk)
    connect(workspace, user, "google-calendar")
    connect(workspace, user, "github")

    for query in (CALENDAR_QUERY, "add a meeting to my calendar"):
        calendar = service.route(query)
        assert (calendar["connector"], calendar["operation"]) == (
            "google-calendar",
            "calendar.events.insert",
        )
        assert calendar["threshold"] == DEFAULT_PARAMS.workspace_threshold
        assert calendar["confidence"] >= calendar["threshold"]
        assert "this workspace has a credential for it" in calendar["reasoning"]
        # Without the workspace it is "no route" (Microsoft Graph and others also hold
        # calendars): the prior makes the difference.
        anonymous = RoutingService().route(query)
        assert anonymous["route"] is None
        assert anonymous["threshold"] == DEFAULT_PARAMS.threshold
        assert anonymous["alternatives"][0]["operation"] == "calendar.events.insert"

    # The issue's GitHub story: the whole sentence is far from the operation's utterances
    # (best cosine 0.31, under the relevance floor: "flowplane", "login", "bug" are its
    # arguments), its leading clause "open an issue" is not (clauses.py).
    issue = service.route(GITHUB_QUERY)
    assert (issue["connector"], issue["operation"]) == ("github", "issues/create")
    assert issue["confidence"] >= issue["threshold"] == DEFAULT_PARAMS.workspace_threshold
    assert "leading clause 'open an issue'" in issue["reasoning"]
    assert "this workspace has a credential for it" in issue["reasoning"]
    # A sentence no connector is about stays unanswered, with the workspace too.
    for asking in (service, RoutingService()):
        assert asking.route(MARS_QUERY)["route"] is None


def test_the_github_story_opens_the_issue_with_the_workspaces_credential(
    catalogue, workspace, user, settings
):
    """The issue's sentence, no connector named on the block and its threshold left to the
    router: GitHub because the workspace holds a GitHub credential, the arguments filled by
    the model, the call made to the local GitHub stand-in with the stored token."""
    settings.OUTBOUND_ALLOWLIST = ["127.0.0.1"]
    github = _Server(_create_issue)
    llm = FakeOpenAI()
    try:
        Connector.objects.filter(slug="github").update(base_url=github.url)
        credential_create(
            workspace=workspace,
            actor=user,
            name="GitHub",
            kind="bearer",
            secret={"token": GITHUB_TOKEN},
            connector=Connector.objects.get(slug="github"),
        )
        arguments = {"owner": "acme", "repo": "flowplane", "body": {"title": "Login bug"}}
        llm.reply(tool_calls=[{"name": "issues_create", "arguments": arguments}])
        llm.reply(content="Opened acme/flowplane#12: Login bug.")
        executor = block_services(workspace_id=workspace.pk)["router"].executor
        service = RoutingService(
            executor=executor,
            llm=ChatClient(base_url=llm.url, model="m"),
            workspace_id=workspace.pk,
        )
        config = {"query": GITHUB_QUERY, "execute": True}
        result = _semantic_router().execute(
            block_context("route", workspace_id=str(workspace.pk), services={"router": service}),
            _config(config),
            {},
        )
    finally:
        github.close()
        llm.close()

    out = result.outputs
    assert (out["connector"], out["operation"]) == ("github", "issues/create")
    assert out["result"] == "Opened acme/flowplane#12: Login bug."
    [call] = github.requests
    assert (call["method"], call["path"]) == ("POST", "/repos/acme/flowplane/issues")
    assert call["body"] == {"title": "Login bug"}
    tool = next(step for step in out["agent"]["trace"] if step["type"] == "tool")
    assert tool["result"]["status"] == 201
    assert GITHUB_TOKEN not in str(out)


def _create_issue(method: str, path: str, headers: dict[str, str], body: Any) -> tuple[int, Any]:
    """api.github.com's POST /repos/{owner}/{repo}/issues, to the bearer token only."""
    if headers.get("authorization") != f"Bearer {GITHUB_TOKEN}":
        return 401, {"message": "Bad credentials"}
    return 201, {"number": 12, "title": body["title"], "state": "open"}


def _semantic_router() -> Any:
    registry = BlockRegistry()
    registry.register_module(semantic_router)
    return registry.get("semantic_router")


def _config(config: dict[str, Any]) -> dict[str, Any]:
    return defaults_applied(_semantic_router().spec.config_schema, config)


def test_block_host_routes_for_the_running_workspace(catalogue, workspace, user):
    services_ = block_services(workspace_id=workspace.pk)
    assert services_["router"].workspace_id == workspace.pk
    connect(workspace, user, "google-calendar")
    config = _config({"query": CALENDAR_QUERY})
    result = _semantic_router().execute(
        block_context("route", workspace_id=str(workspace.pk), services=services_), config, {}
    )
    assert result.handles == ("matched",)
    assert result.outputs["operation"] == "calendar.events.insert"
    assert "this workspace has a credential for it" in result.outputs["reasoning"]


def test_the_route_endpoint_routes_for_a_workspace_its_caller_belongs_to(
    catalogue, workspace, user, api
):
    connect(workspace, user, "google-calendar")
    body = {"query": CALENDAR_QUERY}
    answer = api.post(ROUTE, {**body, "workspace": str(workspace.pk)}, format="json")
    assert answer.status_code == 200, answer.json()
    routed = answer.json()
    assert (routed["connector"], routed["operation"]) == (
        "google-calendar",
        "calendar.events.insert",
    )
    assert routed["threshold"] == DEFAULT_PARAMS.workspace_threshold
    assert api.post(ROUTE, body, format="json").json()["route"] is None
    # Someone else's workspace: not found, as everywhere else (no prior leaks out).
    other = WorkspaceFactory()
    refused = api.post(ROUTE, {**body, "workspace": str(other.pk)}, format="json")
    assert refused.status_code == 404
    bad = api.post(ROUTE, {**body, "workspace": "calendar"}, format="json")
    assert bad.status_code == 400 and "workspace" in str(bad.json())


def test_cached_prior_follows_credentials_and_workflows(catalogue, workspace, user):
    workspace_prior_changed(workspace.pk)
    assert workspace_prior(workspace.pk).connectors == frozenset()
    credential = connect(workspace, user, "github")
    assert workspace_prior(workspace.pk).connectors == {"github"}
    node = {
        "id": "n1",
        "type": "connector_operation",
        "position": {"x": 0, "y": 0},
        "data": {
            "config": {
                "connector": "github",
                "operation": "issues/create",
                "credential_id": str(credential.pk),
            }
        },
    }
    workflow_create(
        workspace=workspace, name="triage", graph={"nodes": [node], "edges": []}, created_by=user
    )
    assert workspace_prior(workspace.pk).operations == {("github", "issues/create")}
    credential.status = credential.Status.ERROR  # a broken credential is no working one
    credential.save()
    assert workspace_prior(workspace.pk).connectors == frozenset()
