"""List filters of the workspaces API."""

import django_filters

from apps.core.api.filtering import ScopedFilterSet, UTCDateTimeFilter
from apps.workspaces.models import AuditEvent


class AuditEventFilter(ScopedFilterSet):
    # By username: what a reader of the log knows; the list is scoped, so it tells nothing
    # about users outside the caller's workspaces.
    actor = django_filters.CharFilter(field_name="actor__username")
    created_after = UTCDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UTCDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = AuditEvent
        fields = ["workspace", "action", "target_type", "target_id", "request_id"]
