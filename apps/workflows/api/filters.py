import django_filters

from apps.workflows.models import Execution, Workflow


class WorkflowFilter(django_filters.FilterSet):
    class Meta:
        model = Workflow
        fields = ["workspace", "status"]


class ExecutionFilter(django_filters.FilterSet):
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Execution
        fields = ["workspace", "workflow", "status", "mode", "trigger"]
