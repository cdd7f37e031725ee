"""Routing API shapes: inputs are strict (unknown fields refused), outputs documented."""

from rest_framework import serializers

from apps.core.api.serializers import StrictSerializer
from apps.routing.models import RouteMap


class RouteInput(StrictSerializer):
    query = serializers.CharField(max_length=2000, trim_whitespace=True)
    top_k = serializers.IntegerField(min_value=1, max_value=50, default=5)
    connector = serializers.SlugField(max_length=80, required=False, allow_null=True, default=None)
    workspace = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Route for this workspace (you must be a member): the connectors it holds a "
        "working credential for and the operations its workflows call are favoured, and the "
        "workspace threshold applies.",
    )


class AlternativeOutput(serializers.Serializer):
    route = serializers.CharField()
    connector = serializers.CharField()
    operation = serializers.CharField()
    score = serializers.FloatField()
    similarity = serializers.FloatField()


class RouteOutput(serializers.Serializer):
    route = serializers.CharField(allow_null=True)
    connector = serializers.CharField(allow_null=True)
    operation = serializers.CharField(allow_null=True)
    confidence = serializers.FloatField()
    connector_confidence = serializers.FloatField()
    tool_confidence = serializers.FloatField()
    threshold = serializers.FloatField()
    alternatives = AlternativeOutput(many=True)
    reasoning = serializers.CharField()
    decided_by = serializers.ChoiceField(choices=["router", "llm", "none"])
    modifier = serializers.CharField(allow_null=True)
    arguments = serializers.DictField()
    elapsed_ms = serializers.FloatField()


class RouteMapOutput(serializers.ModelSerializer):
    routes = serializers.IntegerField(source="route_count")
    name = serializers.SerializerMethodField()

    class Meta:
        model = RouteMap
        fields = [
            "connector",
            "name",
            "routes",
            "content_hash",
            "source",
            "created_at",
            "updated_at",
        ]

    def get_name(self, obj: RouteMap) -> str:
        return str(obj.data.get("name", ""))


class RouteMapImportOutput(serializers.Serializer):
    imported = RouteMapOutput(many=True)


class FitInput(StrictSerializer):
    examples = serializers.ListField(child=serializers.DictField(), min_length=1, max_length=5000)
    target_precision = serializers.FloatField(min_value=0.5, max_value=1.0, default=0.9)
    fit_weights = serializers.BooleanField(default=False)

    def validate_examples(self, value: list) -> list:
        for i, item in enumerate(value):
            if not isinstance(item.get("query"), str) or not item["query"].strip():
                raise serializers.ValidationError(f"examples[{i}].query must be a string")
        return value
