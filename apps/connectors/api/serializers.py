"""Read-only shapes of the catalogue. The catalogue holds no secrets: auth schemes describe how
to authenticate (header names, OAuth2 endpoints and scopes), never a key or token."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.connectors.models import Connector, ConnectorOperation


class OperationOutput(serializers.ModelSerializer):
    parameters_schema = serializers.JSONField(
        help_text="JSON Schema of path, query and header "
        "parameters; `x-in` on each says where it goes."
    )
    body_schema = serializers.JSONField(allow_null=True)
    response_schema = serializers.JSONField(
        allow_null=True,
        help_text="JSON Schema of a successful call's JSON body (its first 2xx response), "
        "when the source document declares one.",
    )

    class Meta:
        model = ConnectorOperation
        fields = ["key", *ConnectorOperation.IMPORTED_FIELDS]


class ConnectorListOutput(serializers.ModelSerializer):
    category_label = serializers.CharField(source="get_category_display")
    auth_kinds = serializers.SerializerMethodField()
    operations_count = serializers.IntegerField(read_only=True)
    popularity = serializers.IntegerField(
        read_only=True,
        help_text="How many workflows and credentials (across the installation) use it.",
    )
    connected = serializers.BooleanField(
        read_only=True,
        help_text="The workspace given as `?workspace=` holds a credential for it "
        "(false without one).",
    )

    class Meta:
        model = Connector
        fields = [
            "slug",
            "name",
            "category",
            "category_label",
            "icon",
            "description",
            "docs_url",
            "version",
            "enabled",
            "auth_kinds",
            "operations_count",
            "popularity",
            "connected",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_auth_kinds(self, connector: Connector) -> list[str]:
        kinds = [s.get("kind") for s in connector.auth_schemes or [] if isinstance(s, dict)]
        return sorted({kind for kind in kinds if kind})


class ConnectorDetailOutput(ConnectorListOutput):
    operations = OperationOutput(many=True, read_only=True)
    operations_count = serializers.SerializerMethodField()

    class Meta(ConnectorListOutput.Meta):
        fields = [
            *ConnectorListOutput.Meta.fields,
            "base_url",
            "auth_schemes",
            "rate_limit",
            "retry_policy",
            "breaker_policy",
            "health_check_operation",
            "utterances",
            "route_threshold",
            "tool_role",
            "tool_goal",
            "tool_backstory",
            "source",
            "updated_at",
            "operations",
        ]

    @extend_schema_field(OpenApiTypes.INT)
    def get_operations_count(self, connector: Connector) -> int:
        return len(connector.operations.all())  # the prefetched, visible operations


class CategoryOutput(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
