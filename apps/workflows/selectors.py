"""Reads for workflows, versions and executions, always scoped to the caller's workspaces."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from apps.workflows.models import Execution, Workflow, WorkflowVersion
from apps.workspaces.exceptions import NotFound


def workflow_list(*, user: AbstractBaseUser) -> QuerySet[Workflow]:
    return Workflow.objects.filter(workspace__memberships__user=user).select_related(
        "published_version")


def workflow_get(*, user: AbstractBaseUser, workflow_id: object) -> Workflow:
    try:
        return workflow_list(user=user).get(pk=workflow_id)
    except (Workflow.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Workflow not found.") from exc


def workflow_version_list(*, workflow: Workflow) -> QuerySet[WorkflowVersion]:
    return workflow.versions.select_related("published_by").order_by("-number")


def execution_list(*, user: AbstractBaseUser) -> QuerySet[Execution]:
    return Execution.objects.filter(workspace__memberships__user=user).select_related(
        "workflow", "version")
