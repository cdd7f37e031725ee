"""List filters of the workspaces API."""

from apps.workspaces.api.filtering import ScopedFilterSet, UTCDateTimeFilter
from apps.workspaces.models import AuditEvent


class AuditEventFilter(ScopedFilterSet):
    created_after = UTCDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UTCDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = AuditEvent
        fields = ["workspace", "actor", "action", "target_type", "target_id", "request_id"]
