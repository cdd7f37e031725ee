"""Shapes of the Status page: the range query, each connected connector's call figures and its
credentials (metadata only, never a secret), and one connector's calls over time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from apps.core.api.serializers import StrictSerializer

DEFAULT_RANGE = timedelta(hours=24)
LONGEST_RANGE = timedelta(days=90)


class StatusQuery(StrictSerializer):
    """``?workspace=&from=&to=``: ``to`` defaults to now, ``from`` to 24 hours before ``to``."""

    workspace = serializers.UUIDField()

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        # `from` is a Python keyword, so the field cannot be a class attribute.
        fields["from"] = serializers.DateTimeField(required=False)
        fields["to"] = serializers.DateTimeField(required=False)
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        end = attrs.get("to") or timezone.now()
        start = attrs.get("from") or end - DEFAULT_RANGE
        if start >= end:
            raise serializers.ValidationError({"from": ["Must be before `to`."]})
        if end - start > LONGEST_RANGE:
            raise serializers.ValidationError({"from": ["The range is at most 90 days."]})
        return {**attrs, "from": start, "to": end}


class FiguresOutput(serializers.Serializer):
    calls = serializers.IntegerField()
    failures = serializers.IntegerField(help_text="Failed calls other than 429s.")
    rate_limited = serializers.IntegerField(
        help_text="Calls answered 429, or held back by the connector's rate limit."
    )
    error_rate = serializers.FloatField(
        allow_null=True, help_text="(failures + rate_limited) / calls; null without calls."
    )
    avg_ms = serializers.IntegerField(allow_null=True)
    p95_ms = serializers.IntegerField(
        allow_null=True,
        help_text="95th percentile latency, from a fixed histogram (bucket-interpolated).",
    )


class ConnectionOutput(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField(help_text="connected, warning, error or disconnected.")
    needs_reauth = serializers.BooleanField()
    expires_at = serializers.DateTimeField(allow_null=True)
    last_error = serializers.CharField(allow_blank=True)


class ConnectorStatusOutput(serializers.Serializer):
    slug = serializers.CharField(source="connector.slug")
    name = serializers.CharField(source="connector.name")
    icon = serializers.CharField(source="connector.icon", allow_blank=True)
    category = serializers.CharField(source="connector.category")
    figures = FiguresOutput()
    last_success_at = serializers.DateTimeField(allow_null=True, help_text="Ever, not in range.")
    last_failure_at = serializers.DateTimeField(allow_null=True, help_text="Ever, not in range.")
    last_error = serializers.CharField(allow_blank=True, help_text="Of the last failed call.")
    credentials = ConnectionOutput(many=True, source="connections")


class McpServerStatusOutput(serializers.Serializer):
    server = serializers.CharField(help_text="host:port of the remote MCP server.")
    figures = FiguresOutput()
    last_success_at = serializers.DateTimeField(allow_null=True, help_text="Ever, not in range.")
    last_failure_at = serializers.DateTimeField(allow_null=True, help_text="Ever, not in range.")
    last_error = serializers.CharField(allow_blank=True, help_text="Of the last failed call.")


class StatusOutput(serializers.Serializer):
    # `from` is a keyword: both range fields are declared in get_fields.
    connectors = ConnectorStatusOutput(many=True)
    mcp_servers = McpServerStatusOutput(
        many=True, help_text="Remote MCP servers the workspace's runs called in the range."
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            "from": serializers.DateTimeField(),
            "to": serializers.DateTimeField(),
            **super().get_fields(),
        }


class PointOutput(serializers.Serializer):
    at = serializers.DateTimeField(help_text="Start of the step (UTC).")
    figures = FiguresOutput()


class RecentFailureOutput(serializers.Serializer):
    at = serializers.DateTimeField()
    failures = serializers.IntegerField()
    rate_limited = serializers.IntegerField()
    error = serializers.CharField(allow_blank=True)


class SeriesOutput(serializers.Serializer):
    connector = serializers.CharField()
    step = serializers.ChoiceField(choices=["minute", "hour", "day"])
    points = PointOutput(many=True)
    recent_failures = RecentFailureOutput(
        many=True, help_text="The latest minutes with failed calls (at most 20, newest first)."
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            "from": serializers.DateTimeField(),
            "to": serializers.DateTimeField(),
            **super().get_fields(),
        }
