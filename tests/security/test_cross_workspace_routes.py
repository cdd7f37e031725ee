"""Every routed detail endpoint and method, found from the URL router, with another
workspace's id: 404, and nothing of the other workspace changes (issue 11, tests/security).

Routes keyed by something other than a workspace object's id are the operator-curated
catalogue (connectors, route maps); they are listed in NOT_WORKSPACE_OWNED so that a new
route keyed by ``pk`` cannot slip through untested.
"""

from __future__ import annotations

import json
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from apps.credentials.models import Credential
from apps.credentials.services import credential_create
from apps.triggers.models import Trigger
from apps.triggers.tests.factories import published_workflow
from apps.workflows.models import Execution, ExecutionStep, Workflow
from apps.workflows.tests.factories import ExecutionFactory
from apps.workspaces.models import ApiToken, Membership, Workspace
from apps.workspaces.services import api_token_create

pytestmark = pytest.mark.django_db

NOT_WORKSPACE_OWNED = {"ConnectorViewSet", "RouteMapViewSet"}
MODEL_OF = {
    "WorkspaceViewSet": Workspace,
    "ApiTokenViewSet": ApiToken,
    "WorkflowViewSet": Workflow,
    "ExecutionViewSet": Execution,
    "TriggerViewSet": Trigger,
    "CredentialViewSet": Credential,
}


def _detail_routes() -> list[tuple[str, str, str]]:
    """(path template with {pk}, HTTP method, viewset name) of every routed detail action."""
    found = []

    def walk(patterns: list, prefix: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                cls = getattr(entry.callback, "cls", None)
                actions = getattr(entry.callback, "actions", None) or {}
                route = (prefix + str(entry.pattern)).replace("^", "").replace("$", "")
                if cls is None or "format" in route or "(?P<" not in route:
                    continue
                start, end = route.index("(?P<"), route.index(")", route.index("(?P<")) + 1
                # Further groups (a member of a workspace) become {name} too.
                rest = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route[end:])
                for method in actions:
                    found.append(("/" + route[:start] + "{pk}" + rest, method, cls.__name__))

    walk(get_resolver().url_patterns, "")
    return found


def _snapshot(workspace: Workspace) -> str:
    rows = {
        "workspace": list(Workspace.objects.filter(pk=workspace.pk).values()),
        "workflows": list(Workflow.objects.filter(workspace=workspace).values()),
        "executions": list(Execution.objects.filter(workspace=workspace).values()),
        "steps": list(ExecutionStep.objects.filter(execution__workspace=workspace).values()),
        "triggers": list(Trigger.objects.filter(workspace=workspace).values()),
        "credentials": list(Credential.objects.filter(workspace=workspace).values()),
        "tokens": list(
            ApiToken.objects.filter(
                user_id__in=Membership.objects.filter(workspace=workspace).values("user_id")
            ).values()
        ),
        "members": list(Membership.objects.filter(workspace=workspace).values()),
    }
    return json.dumps(rows, default=str, sort_keys=True)


def test_the_walk_finds_every_workspace_owned_route():
    routes = _detail_routes()
    assert len(routes) >= 25
    assert {name for _, _, name in routes} - NOT_WORKSPACE_OWNED == set(MODEL_OF)


def test_another_workspaces_ids_answer_404_on_every_route_and_change_nothing(
    api, user, workspace, other_workspace
):
    stranger = Membership.objects.get(workspace=other_workspace).user
    workflow = published_workflow(
        workspace=other_workspace,
        user=stranger,
        block_type="webhook_trigger",
        config={"verification": {"preset": "none"}},
    )
    theirs = {
        Workspace: other_workspace.pk,
        Workflow: workflow.pk,
        Execution: ExecutionFactory(workflow=workflow, status=Execution.Status.WAITING).pk,
        Trigger: Trigger.objects.get(workflow=workflow).pk,
        Credential: credential_create(
            workspace=other_workspace,
            actor=stranger,
            name="theirs",
            kind="bearer",
            secret={"token": "their-token-123"},
        ).pk,
        ApiToken: api_token_create(user=stranger, name="theirs")[0].pk,
    }
    before = _snapshot(other_workspace)
    tried = 0
    for path, method, viewset in _detail_routes():
        if viewset in NOT_WORKSPACE_OWNED:
            continue
        url = path.format(
            pk=theirs[MODEL_OF[viewset]],
            membership_id=Membership.objects.get(workspace=other_workspace).pk,
        )
        body = {
            "version": 1,
            "name": "x",
            "input": {},
            "draft": True,
            "key": "k",
            "node_id": "start",
            "graph": {"nodes": [], "edges": []},
        }
        response = (
            getattr(api, method)(url, body, format="json") if method != "get" else (api.get(url))
        )
        assert response.status_code == 404, (
            method.upper(),
            url,
            response.status_code,
            response.content[:300],
        )
        if method == "head":  # DRF adds it beside get once a view has served; no body
            tried += 1
            continue
        text = response.content.decode()
        if response["Content-Type"].startswith("text/event-stream"):  # the error as an event
            text = text.split("data: ", 1)[1]
        assert json.loads(text)["type"] == "not_found", (method.upper(), url)
        tried += 1
    assert tried >= 25
    assert _snapshot(other_workspace) == before


def test_a_foreign_id_answers_like_a_random_one(api, other_workspace):
    stranger = Membership.objects.get(workspace=other_workspace).user
    workflow = published_workflow(
        workspace=other_workspace,
        user=stranger,
        block_type="webhook_trigger",
        config={"verification": {"preset": "none"}},
    )
    foreign = api.get(f"/api/v1/workflows/{workflow.pk}/")
    unknown = api.get("/api/v1/workflows/00000000-0000-4000-8000-000000000000/")
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json() == unknown.json()
