"""Published versions: one version's graph, and what changed between two graphs."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.auth import caller
from apps.core.exceptions import NotFound
from apps.workflows import selectors
from apps.workflows.api.serializers import WorkflowVersionOutput
from apps.workflows.graph_diff import graph_diff
from apps.workflows.models import Workflow, WorkflowVersion
from apps.workspaces.api.schema import ErrorOutput

DRAFT = "draft"


class WorkflowVersionDetailOutput(WorkflowVersionOutput):
    class Meta(WorkflowVersionOutput.Meta):
        fields = [*WorkflowVersionOutput.Meta.fields, "graph"]


class DiffNodeOutput(serializers.Serializer):
    id = serializers.CharField()
    type = serializers.CharField()
    label = serializers.CharField(allow_blank=True)


class DiffFieldOutput(serializers.Serializer):
    path = serializers.CharField()
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)


class DiffChangedNodeOutput(DiffNodeOutput):
    fields = DiffFieldOutput(many=True)


class DiffEdgeOutput(serializers.Serializer):
    id = serializers.CharField()
    source = serializers.CharField()
    target = serializers.CharField()
    source_handle = serializers.CharField(allow_blank=True)


class DiffNodesOutput(serializers.Serializer):
    added = DiffNodeOutput(many=True)
    removed = DiffNodeOutput(many=True)
    changed = DiffChangedNodeOutput(many=True)
    moved = DiffNodeOutput(many=True)


class DiffEdgesOutput(serializers.Serializer):
    added = DiffEdgeOutput(many=True)
    removed = DiffEdgeOutput(many=True)
    changed = DiffEdgeOutput(many=True)


class WorkflowDiffOutput(serializers.Serializer):
    base = serializers.CharField(help_text="A version number, or `draft`.")
    head = serializers.CharField(help_text="A version number, or `draft`.")
    nodes = DiffNodesOutput()
    edges = DiffEdgesOutput()


def _version(workflow: Workflow, number: int) -> WorkflowVersion:
    try:
        return selectors.workflow_version_list(workflow=workflow).get(number=number)
    except WorkflowVersion.DoesNotExist as exc:
        raise NotFound(f"Version {number} not found.") from exc


def _graph(workflow: Workflow, request: Request, name: str) -> dict[str, Any]:
    """The draft, or a published version by number, as ``?base=`` / ``?head=`` name it."""
    raw = request.query_params.get(name, DRAFT)
    if raw == DRAFT:
        return workflow.graph
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise ValidationError({name: ["A version number (1 or more) or `draft`."]})
    try:
        return workflow.versions.get(number=int(raw)).graph
    except WorkflowVersion.DoesNotExist as exc:
        raise ValidationError({name: [f"No published version {raw}."]}) from exc


class WorkflowVersionDetailView(APIView):
    @extend_schema(
        operation_id="workflows_versions_retrieve",
        responses={200: WorkflowVersionDetailOutput, 404: ErrorOutput},
    )
    def get(self, request: Request, pk: str, number: int) -> Response:
        workflow = selectors.workflow_get(user=caller(request), workflow_id=pk)
        return Response(WorkflowVersionDetailOutput(_version(workflow, number)).data)


class WorkflowDiffView(APIView):
    @extend_schema(
        operation_id="workflows_diff",
        parameters=[
            OpenApiParameter("base", str, description="Version number or `draft` (default)."),
            OpenApiParameter("head", str, description="Version number or `draft` (default)."),
        ],
        responses={200: WorkflowDiffOutput, 400: ErrorOutput, 404: ErrorOutput},
    )
    def get(self, request: Request, pk: str) -> Response:
        workflow = selectors.workflow_get(user=caller(request), workflow_id=pk)
        before, after = _graph(workflow, request, "base"), _graph(workflow, request, "head")
        body = {
            "base": request.query_params.get("base", DRAFT),
            "head": request.query_params.get("head", DRAFT),
            **graph_diff(before, after),
        }
        return Response(WorkflowDiffOutput(body).data)
