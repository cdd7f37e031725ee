"""Reads for workflows, versions and executions, always scoped to the caller's workspaces."""

from django.contrib.auth.models import User
from django.db.models import Count, QuerySet

from apps.core.exceptions import NotFound
from apps.workflows.models import Execution, ExecutionStep, Workflow, WorkflowVersion


def workflow_list(*, user: User) -> QuerySet[Workflow]:
    return Workflow.objects.filter(workspace__memberships__user=user).select_related(
        "published_version")


def workflow_get(*, user: User, workflow_id: object) -> Workflow:
    try:
        return workflow_list(user=user).get(pk=workflow_id)
    except (Workflow.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Workflow not found.") from exc


def workflow_version_list(*, workflow: Workflow) -> QuerySet[WorkflowVersion]:
    return workflow.versions.select_related("published_by").order_by("-number")


def execution_list(*, user: User) -> QuerySet[Execution]:
    return Execution.objects.filter(workspace__memberships__user=user).select_related(
        "workflow", "version", "trigger")


def execution_counts_unfinished() -> dict[str, int]:
    """Queued, running and waiting (parked) executions platform-wide, for /metrics."""
    unfinished = (Execution.Status.QUEUED, Execution.Status.RUNNING, Execution.Status.WAITING)
    counts = dict.fromkeys(unfinished, 0)
    rows = (Execution.objects.filter(status__in=unfinished).values("status")
            .annotate(n=Count("id")).values_list("status", "n"))
    counts.update(dict(rows))
    return {str(status): n for status, n in counts.items()}


def execution_waits_on(*, execution: Execution, key: str) -> bool:
    """Whether a step of `execution` is waiting under `key` (node id plus item key)."""
    waiting = execution.steps.filter(status=ExecutionStep.Status.WAITING).values_list(
        "node_id", "item_key")
    return any(node_id + item_key == key for node_id, item_key in waiting)
