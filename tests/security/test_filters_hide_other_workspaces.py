"""Issue 11, defect 6: a list filtered by an id the caller cannot see answers exactly like a
list filtered by an id that does not exist (200, empty), on every list route and every
foreign-key filter, found from the URL router rather than listed by hand."""

from __future__ import annotations

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from apps.core.api.filtering import ScopedFilterBackend
from apps.triggers.models import Trigger
from apps.triggers.tests.factories import published_workflow
from apps.workflows.models import Execution, Workflow
from apps.workflows.tests.factories import ExecutionFactory
from apps.workspaces.models import Workspace

pytestmark = pytest.mark.django_db


def _list_routes() -> list[tuple[str, type]]:
    """(path, viewset) of every routed list action under /api/v1/."""
    found: list[tuple[str, type]] = []

    def walk(patterns: list, prefix: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                cls = getattr(entry.callback, "cls", None)
                actions = getattr(entry.callback, "actions", None) or {}
                route = prefix + str(entry.pattern)
                if cls is not None and actions.get("get") == "list" and "format" not in route:
                    found.append(("/" + route.replace("^", "").replace("$", ""), cls))

    walk(get_resolver().url_patterns, "")
    return found


def _related_filters(viewset: type, user) -> list[tuple[str, type]]:
    """(query name, target model) of each filter on a foreign key."""
    request = Request(APIRequestFactory().get("/"))
    request.user = user
    view = viewset(request=request, kwargs={}, args=(), action="list", format_kwarg=None)
    queryset = view.get_queryset()
    filterset = ScopedFilterBackend().get_filterset_class(view, queryset)
    if filterset is None:
        return []
    related = []
    for name, declared in filterset.base_filters.items():
        if "__" in declared.field_name:
            continue
        field = queryset.model._meta.get_field(declared.field_name)
        if field.is_relation and (field.many_to_one or field.one_to_one):
            related.append((name, field.related_model))
    return related


def test_the_router_walk_finds_the_filters_the_probe_used(user):
    routes = {
        path: {name for name, _ in _related_filters(cls, user)} for path, cls in _list_routes()
    }
    assert {"workflow", "workspace", "trigger"} <= routes["/api/v1/executions/"]
    assert {"workflow", "workspace"} <= routes["/api/v1/triggers/"]
    assert "workspace" in routes["/api/v1/workflows/"]
    assert "workspace" in routes["/api/v1/credentials/"]


def test_foreign_ids_answer_like_unknown_ids(api, user, workspace, other_workspace):
    # Something of each kind in both workspaces, so a leak would have rows to show.
    for space in (workspace, other_workspace):
        workflow = published_workflow(
            workspace=space,
            user=user,
            block_type="webhook_trigger",
            config={"verification": {"preset": "none"}},
        )
        ExecutionFactory(workflow=workflow, trigger=Trigger.objects.get(workflow=workflow))
    theirs = {
        Workspace: other_workspace.id,
        Workflow: Workflow.objects.get(workspace=other_workspace).id,
        Trigger: Trigger.objects.get(workspace=other_workspace).id,
        Execution: Execution.objects.get(workspace=other_workspace).id,
    }
    tried = 0
    for path, viewset in _list_routes():
        for name, target in _related_filters(viewset, user):
            assert target in theirs, f"{path}?{name}=: no foreign {target.__name__} to try"
            foreign = api.get(path, {name: str(theirs[target])})
            unknown = api.get(path, {name: str(uuid.uuid4())})
            assert (foreign.status_code, unknown.status_code) in ((200, 200), (404, 404)), (
                path,
                name,
                foreign.content[:300],
                unknown.content[:300],
            )
            if foreign.status_code == 200:
                assert foreign.json()["results"] == unknown.json()["results"] == [], (path, name)
            else:
                assert foreign.json() == unknown.json()
            malformed = api.get(path, {name: "not-an-id"})
            assert malformed.status_code in (400, 404), (path, name)
            tried += 1
    assert tried >= 8
