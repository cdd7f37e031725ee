"""Input and output shapes of the workflow and execution API."""

from rest_framework import serializers

from apps.workflows.models import Execution, ExecutionLog, ExecutionStep, Workflow, WorkflowVersion
from apps.workspaces.api.serializers import StrictSerializer


class WorkflowListOutput(serializers.ModelSerializer):
    published_version = serializers.IntegerField(source="published_version.number",
                                                 default=None, read_only=True)

    class Meta:
        model = Workflow
        fields = ["id", "workspace", "name", "description", "status", "version",
                  "published_version", "created_at", "updated_at"]


class WorkflowOutput(WorkflowListOutput):
    class Meta(WorkflowListOutput.Meta):
        fields = [*WorkflowListOutput.Meta.fields, "graph"]


class WorkflowCreateInput(StrictSerializer):
    workspace = serializers.UUIDField()
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    graph = serializers.JSONField(required=False)


class WorkflowUpdateInput(StrictSerializer):
    version = serializers.IntegerField(min_value=1, help_text="The version you loaded.")
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
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
    version = serializers.IntegerField(source="version.number", default=None, read_only=True)

    class Meta:
        model = Execution
        fields = ["id", "workspace", "workflow", "version", "mode", "status", "input", "output",
                  "error", "wake_at", "trigger", "parent", "created_at", "started_at",
                  "finished_at", "duration_ms"]


class ExecutionStepOutput(serializers.ModelSerializer):
    key = serializers.SerializerMethodField()
    resume_url = serializers.SerializerMethodField()

    class Meta:
        model = ExecutionStep
        fields = ["id", "key", "node_id", "item_key", "block_type", "block_version", "status",
                  "input", "output", "error", "attempts", "started_at", "finished_at",
                  "resume_url"]

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
    draft = serializers.BooleanField(required=False, default=False,
                                     help_text="Run the draft (a test run) instead of the live "
                                               "published version.")


class RerunInput(StrictSerializer):
    from_node = serializers.CharField(required=False, allow_blank=True, default="",
                                      help_text="Run again from this node; upstream outputs "
                                                "are reused. Empty: from the start.")


class ResumeInput(StrictSerializer):
    key = serializers.CharField(help_text="The waiting step's key (its node id, plus [i] "
                                          "inside loops).")
    payload = serializers.JSONField(required=False, default=None)


class TestNodeInput(StrictSerializer):
    node_id = serializers.CharField()
    pinned = serializers.DictField(required=False, default=dict,
                                   help_text='{"trigger": ..., "nodes": {id: output}, '
                                             '"vars": {...}, "item": ..., "index": ...}')


class ValidateInput(StrictSerializer):
    graph = serializers.JSONField()
