"""List filters of the triggers API."""

import django_filters

from apps.triggers.models import WebhookDelivery
from apps.workspaces.api.filtering import ScopedFilterSet, UTCDateTimeFilter


class WebhookDeliveryFilter(ScopedFilterSet):
    workspace = django_filters.UUIDFilter(field_name="trigger__workspace")
    created_after = UTCDateTimeFilter(field_name="received_at", lookup_expr="gte")
    created_before = UTCDateTimeFilter(field_name="received_at", lookup_expr="lt")

    class Meta:
        model = WebhookDelivery
        fields = ["trigger", "delivery_id", "ip_address"]
