"""List filters of the triggers API."""

import django_filters
from django import forms

from apps.core.api.filtering import ScopedFilterSet, UTCDateTimeFilter
from apps.triggers.models import WebhookDelivery


class IPAddressFilter(django_filters.Filter):
    """An IPv4 or IPv6 address; anything else is a 400 naming the field (not a 500)."""

    field_class = forms.GenericIPAddressField


class WebhookDeliveryFilter(ScopedFilterSet):
    workspace = django_filters.UUIDFilter(field_name="trigger__workspace")
    ip_address = IPAddressFilter()
    created_after = UTCDateTimeFilter(field_name="received_at", lookup_expr="gte")
    created_before = UTCDateTimeFilter(field_name="received_at", lookup_expr="lt")

    class Meta:
        model = WebhookDelivery
        fields = ["trigger", "delivery_id", "ip_address"]
