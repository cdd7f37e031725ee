"""Workflow and execution endpoints: validate input, call a service or selector, serialize."""

from typing import Any

from django.core import signing
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.auth import caller
from apps.core.api.pagination import CreatedCursorPagination, DefaultPagination
from apps.core.api.query import query_int
from apps.core.exceptions import Conflict, InvalidInput, NotFound
from apps.workflows import selectors, services
from apps.workflows.api.filters import ExecutionFilter, WorkflowFilter
from apps.workflows.api.issues import ValidateOutput, WorkflowSavedOutput
from apps.workflows.api.serializers import (
    ExecutionDetailOutput,
    ExecutionLogOutput,
    ExecutionOutput,
    ExecutionStepOutput,
    PublishInput,
    RerunInput,
    ResumeInput,
    RollbackInput,
    RunInput,
    TestNodeInput,
    ValidateInput,
    WorkflowCreateInput,
    WorkflowExportOutput,
    WorkflowImportInput,
    WorkflowListOutput,
    WorkflowOutput,
    WorkflowUpdateInput,
    WorkflowVersionOutput,
)
from apps.workflows.api.stream import EventStreamRenderer, execution_event_stream
from apps.workflows.models import Execution, Workflow
from apps.workflows.resume import resume_token_read
from apps.workflows.runtime.run import node_test_run
from apps.workflows.runtime.subworkflows import execution_resume
from apps.workflows.validation import graph_issues, graph_warnings
from apps.workspaces.api.schema import ErrorOutput
from apps.workspaces.api.scoping import require_role
from apps.workspaces.models import Role

# One server-sent event, as clients parse it (`status`, `step`, `end` or `error`; `data` is
# JSON text). Declared as a string, every event broke the published schema.
STREAM_EVENT_SCHEMA = {
    "type": "object",
    "properties": {
        "event": {"type": "string", "enum": ["status", "step", "end", "error"]},
        "data": {"type": "string"},
        "id": {"type": "string"},
        "retry": {"type": "integer"},
    },
    "required": ["data"],
}


class WorkflowViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    filterset_class = WorkflowFilter
    search_fields = ["name", "description"]
    ordering_fields = ["name", "created_at", "updated_at"]
    ordering = ["-updated_at"]

    def get_queryset(self) -> QuerySet[Workflow]:
        return selectors.workflow_list(user=self.request.user)

    def get_serializer_class(self):
        return WorkflowListOutput if self.action == "list" else WorkflowOutput

    def _writable(self, role: str = Role.EDITOR) -> Workflow:
        workflow = self.get_object()
        require_role(self.request, workflow.workspace_id, role)
        return workflow

    @extend_schema(request=WorkflowCreateInput, responses={201: WorkflowSavedOutput})
    def create(self, request: Request) -> Response:
        data = WorkflowCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        membership = require_role(request, fields.pop("workspace"))
        workflow = services.workflow_create(
            workspace=membership.workspace, created_by=caller(request), **fields
        )
        return Response(_saved(workflow), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=WorkflowUpdateInput, responses={200: WorkflowSavedOutput, 409: ErrorOutput}
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        workflow = self._writable()
        data = WorkflowUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        workflow = services.workflow_update(
            workflow=workflow,
            updated_by=caller(request),
            expected_version=changes.pop("version"),
            **changes,
        )
        return Response(_saved(workflow))

    @extend_schema(
        request=WorkflowUpdateInput, responses={200: WorkflowSavedOutput, 409: ErrorOutput}
    )
    def update(self, request: Request, pk: str) -> Response:
        return self.partial_update(request, pk)

    @extend_schema(responses={204: None, 409: ErrorOutput})
    def destroy(self, request: Request, pk: str) -> Response:
        workflow = self._writable()
        services.workflow_delete(workflow=workflow, actor=caller(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=PublishInput, responses={201: WorkflowVersionOutput})
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str) -> Response:
        workflow = self._writable()
        data = PublishInput(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.workflow_publish(
            workflow=workflow, published_by=caller(request), **data.validated_data
        )
        return Response(WorkflowVersionOutput(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: WorkflowOutput})
    @action(detail=True, methods=["post"])
    def unpublish(self, request: Request, pk: str) -> Response:
        workflow = self._writable()
        services.workflow_unpublish(workflow=workflow, actor=caller(request))
        return Response(
            WorkflowOutput(selectors.workflow_get(user=caller(request), workflow_id=pk)).data
        )

    @extend_schema(responses=WorkflowVersionOutput(many=True))
    @action(detail=True, methods=["get"])
    def versions(self, request: Request, pk: str) -> Response:
        workflow = self.get_object()
        page = self.paginate_queryset(selectors.workflow_version_list(workflow=workflow))
        return self.get_paginated_response(WorkflowVersionOutput(page, many=True).data)

    @extend_schema(request=RollbackInput, responses={200: WorkflowVersionOutput})
    @action(detail=True, methods=["post"])
    def rollback(self, request: Request, pk: str) -> Response:
        workflow = self._writable()
        data = RollbackInput(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.workflow_rollback(
            workflow=workflow, actor=caller(request), number=data.validated_data["version"]
        )
        return Response(WorkflowVersionOutput(version).data)

    @extend_schema(responses=WorkflowExportOutput)
    @action(detail=True, methods=["get"])
    def export(self, request: Request, pk: str) -> Response:
        return Response(services.workflow_export(workflow=self.get_object()))

    @extend_schema(request=WorkflowImportInput, responses={201: WorkflowOutput})
    @action(detail=False, methods=["post"], url_path="import")
    def import_(self, request: Request) -> Response:
        data = WorkflowImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        membership = require_role(request, data.validated_data["workspace"])
        workflow = services.workflow_import(
            workspace=membership.workspace,
            document=data.validated_data["document"],
            imported_by=caller(request),
        )
        return Response(WorkflowOutput(workflow).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RunInput, responses={202: ExecutionOutput, 409: ErrorOutput})
    @action(detail=True, methods=["post"])
    def run(self, request: Request, pk: str) -> Response:
        workflow = self._writable()
        data = RunInput(data=request.data)
        data.is_valid(raise_exception=True)
        execution = services.execution_start(
            workflow=workflow,
            started_by=caller(request),
            mode=Execution.Mode.API if request.auth else Execution.Mode.MANUAL,
            **data.validated_data,
        )
        return Response(ExecutionOutput(execution).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=TestNodeInput, responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"], url_path="test-node")
    def test_node(self, request: Request, pk: str) -> Response:
        workflow = self._writable()
        data = TestNodeInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(node_test_run(workflow=workflow, **data.validated_data))

    @extend_schema(request=ValidateInput, responses={200: ValidateOutput})
    @action(detail=False, methods=["post"])
    def validate(self, request: Request) -> Response:
        data = ValidateInput(data=request.data)
        data.is_valid(raise_exception=True)
        issues = graph_issues(data.validated_data["graph"])
        return Response(
            {
                "valid": not any(i["severity"] == "error" for i in issues),
                "issues": issues,
                "warnings": [i for i in issues if i["severity"] == "warning"],
            }
        )


def _saved(workflow: Workflow) -> dict[str, Any]:
    """The saved workflow and its graph's warnings (saving refuses errors only)."""
    return {**WorkflowOutput(workflow).data, "warnings": graph_warnings(workflow.graph)}


class ExecutionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ExecutionOutput
    filterset_class = ExecutionFilter
    pagination_class = CreatedCursorPagination
    ordering_fields = ["created_at"]

    def get_queryset(self) -> QuerySet[Execution]:
        return selectors.execution_list(user=self.request.user)

    @extend_schema(responses=ExecutionDetailOutput)
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(ExecutionDetailOutput(self.get_object()).data)

    @extend_schema(responses=ExecutionStepOutput(many=True))
    @action(detail=True, methods=["get"], pagination_class=DefaultPagination, filter_backends=[])
    def steps(self, request: Request, pk: str) -> Response:
        """Paginated like every list: a loop of thousands of items has as many steps."""
        execution = self.get_object()
        page = self.paginate_queryset(execution.steps.order_by("started_at", "id"))
        return self.get_paginated_response(ExecutionStepOutput(page, many=True).data)

    @extend_schema(
        responses=ExecutionLogOutput(many=True),
        parameters=[
            OpenApiParameter(
                "after", {"type": "integer", "minimum": 0}, description="Last log id seen"
            )
        ],
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def logs(self, request: Request, pk: str) -> Response:
        execution = self.get_object()
        logs = execution.logs.order_by("id")
        after = query_int(request, "after")
        if after is not None:
            logs = logs.filter(id__gt=after)
        return Response(ExecutionLogOutput(logs[:500], many=True).data)

    def _writable(self) -> Execution:
        execution = self.get_object()
        require_role(self.request, execution.workspace_id)
        return execution

    @extend_schema(request=None, responses={200: ExecutionOutput})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        execution = services.execution_cancel(execution=self._writable(), actor=caller(request))
        return Response(ExecutionOutput(execution).data)

    @extend_schema(request=RerunInput, responses={202: ExecutionOutput})
    @action(detail=True, methods=["post"])
    def rerun(self, request: Request, pk: str) -> Response:
        execution = self._writable()
        data = RerunInput(data=request.data)
        data.is_valid(raise_exception=True)
        rerun = services.execution_rerun(
            execution=execution, started_by=caller(request), **data.validated_data
        )
        return Response(ExecutionOutput(rerun).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=ResumeInput, responses={202: ExecutionOutput, 409: ErrorOutput})
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, pk: str) -> Response:
        execution = self._writable()
        data = ResumeInput(data=request.data)
        data.is_valid(raise_exception=True)
        # Only a step that waits may be resumed: any other key was stored on the run (and
        # woke it) although nothing would ever read it.
        if not execution.is_finished and not selectors.execution_waits_on(
            execution=execution, key=data.validated_data["key"]
        ):
            raise InvalidInput(
                "No step of this execution is waiting under this key.",
                fields={"key": ["No waiting step has this key."]},
            )
        if not execution_resume(execution_id=execution.pk, **data.validated_data):
            raise Conflict("The execution has already finished.")
        execution.refresh_from_db()
        return Response(ExecutionOutput(execution).data, status=status.HTTP_202_ACCEPTED)

    # Errors come as one `error` event too (EventStreamRenderer), not as JSON.
    @extend_schema(
        responses={
            (code, "text/event-stream"): STREAM_EVENT_SCHEMA for code in (200, 401, 404, 429)
        }
    )
    @action(detail=True, methods=["get"], renderer_classes=[EventStreamRenderer])
    def stream(self, request: Request, pk: str) -> StreamingHttpResponse:
        """Server-sent events: `status` on every status change and `step` per step update;
        ends when the execution finishes (or after a while: reconnect with Last-Event-ID)."""
        execution = self.get_object()
        response = StreamingHttpResponse(
            execution_event_stream(execution.pk), content_type="text/event-stream"
        )
        response["Cache-Control"] = "no-cache"
        response["X-Accel-Buffering"] = "no"
        return response


class ResumeByTokenView(APIView):
    """The signed resume URL of a waiting step: whoever holds it may resume that step."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=OpenApiTypes.OBJECT, responses={202: OpenApiTypes.OBJECT, 409: ErrorOutput}
    )
    def post(self, request: Request, token: str) -> Response:
        return self._resume(token, request.data or None)

    @extend_schema(responses={202: OpenApiTypes.OBJECT, 409: ErrorOutput})
    def get(self, request: Request, token: str) -> Response:
        """Resume links are often clicked in an email: GET resumes with the query as payload."""
        return self._resume(token, dict(request.query_params.items()) or None)

    def _resume(self, token: str, payload: object) -> Response:
        try:
            execution_id, key = resume_token_read(token)
        except signing.BadSignature as exc:
            raise NotFound("This resume link is invalid or has expired.") from exc
        if not execution_resume(execution_id=execution_id, key=key, payload=payload):
            raise Conflict("The execution has already finished.")
        return Response(
            {"status": "resumed", "execution": execution_id, "step": key},
            status=status.HTTP_202_ACCEPTED,
        )
