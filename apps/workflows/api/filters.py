from apps.core.api.filtering import ScopedFilterSet, UTCDateTimeFilter
from apps.workflows.models import Execution, Workflow


class WorkflowFilter(ScopedFilterSet):
    class Meta:
        model = Workflow
        fields = ["workspace", "status"]


class ExecutionFilter(ScopedFilterSet):
    created_after = UTCDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UTCDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Execution
        fields = ["workspace", "workflow", "status", "mode", "trigger"]
