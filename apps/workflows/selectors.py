"""Reads for workflows, versions and executions, always scoped to the caller's workspaces."""

from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet, TextField
from django.db.models.functions import Cast

from apps.core.exceptions import NotFound
from apps.workflows.models import Execution, ExecutionStep, Workflow, WorkflowVersion


def workflow_list(*, user: User) -> QuerySet[Workflow]:
    return Workflow.objects.filter(workspace__memberships__user=user).select_related(
        "published_version"
    )


def workflow_get(*, user: User, workflow_id: object) -> Workflow:
    try:
        return workflow_list(user=user).get(pk=workflow_id)
    except (Workflow.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Workflow not found.") from exc


def _config_names(value: Any, credential_id: str) -> bool:
    """True when a config (at any depth) holds `credential_id` under a credential key."""
    if isinstance(value, dict):
        return any(
            (str(key).startswith("credential") and str(item) == credential_id)
            or _config_names(item, credential_id)
            for key, item in value.items()
        )
    if isinstance(value, list):
        return any(_config_names(item, credential_id) for item in value)
    return False


def _graph_uses(graph: Any, credential_id: str) -> bool:
    nodes = graph.get("nodes", []) if isinstance(graph, dict) else []
    return any(
        isinstance(node, dict) and _config_names(node.get("data"), credential_id) for node in nodes
    )


def workflow_list_using_credential(*, workspace_id: Any, credential_id: Any) -> list[Workflow]:
    """The workspace's workflows whose draft or live version names the credential in a node."""
    wanted = str(credential_id)
    # The database narrows down on the id's text; the walk below checks it sits in a config.
    workflows = (
        Workflow.objects.filter(workspace_id=workspace_id)
        .annotate(
            draft_text=Cast("graph", TextField()),
            live_text=Cast("published_version__graph", TextField()),
        )
        .filter(Q(draft_text__contains=wanted) | Q(live_text__contains=wanted))
        .select_related("published_version")
        .order_by("name", "id")
    )
    return [
        w
        for w in workflows
        if _graph_uses(w.graph, wanted)
        or (w.published_version is not None and _graph_uses(w.published_version.graph, wanted))
    ]


def workflow_version_list(*, workflow: Workflow) -> QuerySet[WorkflowVersion]:
    return workflow.versions.select_related("published_by").order_by("-number")


def execution_list(*, user: User) -> QuerySet[Execution]:
    return Execution.objects.filter(workspace__memberships__user=user).select_related(
        "workflow", "version", "trigger"
    )


def execution_counts_unfinished() -> dict[str, int]:
    """Queued, running and waiting (parked) executions platform-wide, for /metrics."""
    unfinished = (Execution.Status.QUEUED, Execution.Status.RUNNING, Execution.Status.WAITING)
    counts = dict.fromkeys(unfinished, 0)
    rows = (
        Execution.objects.filter(status__in=unfinished)
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    counts.update(dict(rows))
    return {str(status): n for status, n in counts.items()}


def execution_waits_on(*, execution: Execution, key: str) -> bool:
    """Whether a step of `execution` is waiting under `key` (node id plus item key)."""
    waiting = execution.steps.filter(status=ExecutionStep.Status.WAITING).values_list(
        "node_id", "item_key"
    )
    return any(node_id + item_key == key for node_id, item_key in waiting)
