"""The Monitoring page's endpoints: read-only aggregates of one workspace's runs.

Every endpoint takes ``?workspace=`` (a viewer may read) and, except the backlog (which is
"now"), the window ``?from=`` .. ``?to=`` (ISO 8601; ``to`` defaults to now). Parameters go
through the project's strict query form, so a malformed or empty value is a 400 naming it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api.filtering import StrictQueryForm, UTCDateTimeField
from apps.workflows import monitoring
from apps.workflows.api.monitoring_output import (
    BacklogOutput,
    BlockDurationOutput,
    FailingNodeOutput,
    TimelineOutput,
    WorkflowDurationOutput,
)
from apps.workspaces.api.scoping import require_role
from apps.workspaces.models import Role

WORKSPACE = OpenApiParameter(
    "workspace", OpenApiTypes.UUID, required=True, description="A workspace of the caller."
)
WINDOW = [
    WORKSPACE,
    OpenApiParameter(
        "from",
        OpenApiTypes.DATETIME,
        required=True,
        description="Runs created at or after this instant (ISO 8601). At most "
        f"{monitoring.MAX_RANGE.days} days before `to`.",
    ),
    OpenApiParameter(
        "to",
        OpenApiTypes.DATETIME,
        required=False,
        description="Runs created before this instant; now when left out.",
    ),
]


class WorkspaceQuery(StrictQueryForm):
    workspace = forms.UUIDField()


# `from` is a Python keyword: the form is built from a dict.
WindowQuery = type(
    "WindowQuery",
    (WorkspaceQuery,),
    {"from": UTCDateTimeField(), "to": UTCDateTimeField(required=False)},
)


def _cleaned(form: forms.Form) -> dict[str, Any]:
    if not form.is_valid():
        raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
    return form.cleaned_data


def _window(request: Request) -> tuple[Any, monitoring.Window]:
    """The workspace (membership checked) and the window of the request, or a 400."""
    data = _cleaned(WindowQuery(request.query_params))
    start, end = data["from"], data["to"] or timezone.now()
    if start >= end:
        raise ValidationError({"from": ["Must be before `to`."]})
    if end - start > monitoring.MAX_RANGE:
        raise ValidationError({"from": [f"At most {monitoring.MAX_RANGE.days} days before `to`."]})
    require_role(request, data["workspace"], Role.VIEWER)
    return data["workspace"], monitoring.Window(start=start, end=end)


class MonitoringViewSet(viewsets.ViewSet):
    """Runs over time, durations, failing nodes and backlog of a workspace."""

    @extend_schema(parameters=WINDOW, responses=TimelineOutput)
    @action(detail=False, methods=["get"])
    def timeline(self, request: Request) -> Response:
        """Runs created per bucket (minute up to 3 h, hour up to 8 days, day beyond) and
        status, the totals and the success rate."""
        workspace, window = _window(request)
        data = monitoring.runs_timeline(workspace_id=workspace, window=window)
        return Response(TimelineOutput(data).data)

    @extend_schema(parameters=WINDOW, responses=WorkflowDurationOutput(many=True))
    @action(detail=False, methods=["get"])
    def workflows(self, request: Request) -> Response:
        """Per workflow: runs, outcomes and p50/p95 run duration, slowest first (at most 50)."""
        workspace, window = _window(request)
        rows = monitoring.workflow_durations(workspace_id=workspace, window=window)
        return Response(WorkflowDurationOutput(rows, many=True).data)

    @extend_schema(parameters=WINDOW, responses=BlockDurationOutput(many=True))
    @action(detail=False, methods=["get"])
    def blocks(self, request: Request) -> Response:
        """Per block type: p50/p95 step duration, slowest first (at most 15)."""
        workspace, window = _window(request)
        rows = monitoring.block_durations(workspace_id=workspace, window=window)
        return Response(BlockDurationOutput(rows, many=True).data)

    @extend_schema(parameters=WINDOW, responses=FailingNodeOutput(many=True))
    @action(detail=False, methods=["get"], url_path="failing-nodes")
    def failing_nodes(self, request: Request) -> Response:
        """The nodes that failed most (at most 10), with their last (redacted) error."""
        workspace, window = _window(request)
        rows = monitoring.failing_nodes(workspace_id=workspace, window=window)
        return Response(FailingNodeOutput(rows, many=True).data)

    @extend_schema(parameters=[WORKSPACE], responses=BacklogOutput)
    @action(detail=False, methods=["get"])
    def backlog(self, request: Request) -> Response:
        """Queued, parked (waiting) and running runs now, overall and per workflow."""
        workspace = _cleaned(WorkspaceQuery(request.query_params))["workspace"]
        require_role(request, workspace, Role.VIEWER)
        return Response(BacklogOutput(monitoring.backlog(workspace_id=workspace)).data)


__all__ = ["MonitoringViewSet"]
