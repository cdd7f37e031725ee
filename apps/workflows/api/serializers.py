"""Input and output shapes of the workflow and execution API."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.api.serializers import StrictSerializer
from apps.workflows.models import (
    Execution,
    ExecutionLog,
    ExecutionStep,
    Priority,
    Workflow,
    WorkflowVersion,
)


class PriorityField(serializers.ChoiceField):
    """`low`, `normal` or `high` in the API; a small integer in the database (claim order)."""

    _BY_NAME = {choice.name.lower(): choice.value for choice in Priority}

    def __init__(self, **kwargs: object) -> None:
        super().__init__(choices=list(self._BY_NAME), **kwargs)

    def to_internal_value(self, data: object) -> int:
        return self._BY_NAME[super().to_internal_value(data)]

    def to_representation(self, value: int) -> str:
        return Priority(value).name.lower()


class WorkflowListOutput(serializers.ModelSerializer):
    published_version = serializers.IntegerField(
        source="published_version.number", default=None, read_only=True, allow_null=True
    )

    class Meta:
        model = Workflow
        fields = [
            "id",
            "workspace",
            "name",
            "description",
            "status",
            "version",
            "published_version",
            "priority",
            "retry_attempts",
            "retry_delay_seconds",
            "is_tool",
            "created_at",
            "updated_at",
        ]

    priority = PriorityField(read_only=True)


class WorkflowOutput(WorkflowListOutput):
    draft_is_live = serializers.SerializerMethodField(
        help_text="The saved draft is the live version's graph: publishing would add nothing."
    )

    class Meta(WorkflowListOutput.Meta):
        fields = [*WorkflowListOutput.Meta.fields, "graph", "draft_is_live"]

    def get_draft_is_live(self, workflow: Workflow) -> bool:
        live = workflow.published_version
        return live is not None and live.graph == workflow.graph


class WorkflowSettingsInput(StrictSerializer):
    """How the workflow's runs are queued and retried."""

    priority = PriorityField(required=False, help_text="Queue order of its runs.")
    retry_attempts = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=10,
        help_text="Runs started again after a failed run (0: none).",
    )
    retry_delay_seconds = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=86400,
        help_text="Wait before the first retry; each next one waits twice as long.",
    )
    is_tool = serializers.BooleanField(
        required=False, help_text="Offer the published workflow as a tool at /mcp/."
    )


# A workflow's description is a paragraph, not a document: the column is unbounded text.
DESCRIPTION_MAX_LENGTH = 10_000


class WorkflowCreateInput(WorkflowSettingsInput):
    workspace = serializers.UUIDField()
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=DESCRIPTION_MAX_LENGTH
    )
    graph = serializers.JSONField(required=False)


class WorkflowUpdateInput(WorkflowSettingsInput):
    version = serializers.IntegerField(min_value=1, help_text="The version you loaded.")
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=DESCRIPTION_MAX_LENGTH
    )
    graph = serializers.JSONField(required=False)


class PublishInput(StrictSerializer):
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class RollbackInput(StrictSerializer):
    version = serializers.IntegerField(min_value=1)


class WorkflowVersionOutput(serializers.ModelSerializer):
    published_by = serializers.CharField(source="published_by.username", default=None)
    is_live = serializers.SerializerMethodField()

    class Meta:
        model = WorkflowVersion
        fields = ["id", "number", "note", "published_by", "published_at", "is_live"]

    def get_is_live(self, version: WorkflowVersion) -> bool:
        return version.workflow.published_version_id == version.pk


class WorkflowExportOutput(serializers.Serializer):
    format = serializers.CharField()
    format_version = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    graph = serializers.JSONField()


class WorkflowImportInput(StrictSerializer):
    workspace = serializers.UUIDField()
    document = serializers.DictField()


class ExecutionOutput(serializers.ModelSerializer):
    version = serializers.IntegerField(
        source="version.number", default=None, read_only=True, allow_null=True
    )  # null for a draft (test) run
    # Names for run lists, so a page of runs needs no request per workflow or trigger.
    workflow_name = serializers.CharField(source="workflow.name", read_only=True)
    trigger_kind = serializers.CharField(
        source="trigger.kind", default=None, read_only=True, allow_null=True
    )
    trigger_node = serializers.CharField(
        source="trigger.node_id", default=None, read_only=True, allow_null=True
    )

    class Meta:
        model = Execution
        fields = [
            "id",
            "workspace",
            "workflow",
            "workflow_name",
            "version",
            "mode",
            "status",
            "priority",
            "attempt",
            "input",
            "output",
            "error",
            "wake_at",
            "trigger",
            "trigger_kind",
            "trigger_node",
            "parent",
            "created_at",
            "started_at",
            "finished_at",
            "duration_ms",
        ]

    priority = PriorityField(read_only=True)


class ExecutionDetailOutput(ExecutionOutput):
    graph = serializers.SerializerMethodField(
        help_text="The graph this run executes: the frozen draft of a test run, else the "
        "published version's."
    )

    class Meta(ExecutionOutput.Meta):
        fields = [*ExecutionOutput.Meta.fields, "graph"]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_graph(self, execution: Execution) -> dict | None:
        if execution.draft_graph is not None:
            return execution.draft_graph
        return execution.version.graph if execution.version_id else None


class ExecutionStepOutput(serializers.ModelSerializer):
    key = serializers.SerializerMethodField()
    resume_url = serializers.SerializerMethodField()

    class Meta:
        model = ExecutionStep
        fields = [
            "id",
            "key",
            "node_id",
            "item_key",
            "block_type",
            "block_version",
            "status",
            "input",
            "output",
            "error",
            "attempts",
            "started_at",
            "finished_at",
            "resume_url",
        ]

    def get_key(self, step: ExecutionStep) -> str:
        return step.node_id + step.item_key

    def get_resume_url(self, step: ExecutionStep) -> str | None:
        """For a step waiting to be resumed: a signed URL anyone holding it may call."""
        park = (step.meta or {}).get("park") or {}
        if step.status != ExecutionStep.Status.WAITING or not park.get("resume_required"):
            return None
        from apps.workflows.resume import resume_token

        path = f"/api/v1/resume/{resume_token(step.execution_id, self.get_key(step))}/"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ExecutionLogOutput(serializers.ModelSerializer):
    class Meta:
        model = ExecutionLog
        fields = ["id", "node_id", "level", "event", "message", "data", "created_at"]


class RunInput(StrictSerializer):
    input = serializers.DictField(required=False, default=dict)
    priority = PriorityField(
        required=False, help_text="This run's queue order (default: the workflow's)."
    )
    draft = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Run the draft (a test run) instead of the live published version.",
    )


class RerunInput(StrictSerializer):
    from_node = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Run again from this node; upstream outputs are reused. Empty: from the start.",
    )


class ResumeInput(StrictSerializer):
    # A step key is a node id (100) plus an item key (200): see ExecutionStep.
    key = serializers.CharField(
        max_length=300, help_text="The waiting step's key (its node id, plus [i] inside loops)."
    )
    payload = serializers.JSONField(required=False, default=None)


class TestNodeInput(StrictSerializer):
    node_id = serializers.CharField()
    pinned = serializers.DictField(
        required=False,
        default=dict,
        help_text='{"trigger": ..., "nodes": {id: output}, '
        '"vars": {...}, "item": ..., "index": ...}',
    )


class ValidateInput(StrictSerializer):
    graph = serializers.JSONField()
