"""Response shapes of the block catalogue, so the published schema says what a manifest is."""

from rest_framework import serializers

from apps.blocks.ui import WIDGETS


class UiHintOutput(serializers.Serializer):
    widget = serializers.ChoiceField(choices=sorted(WIDGETS), allow_null=True)
    placeholder = serializers.CharField()
    group = serializers.CharField()
    show_when = serializers.DictField(
        child=serializers.JSONField(),
        help_text="Show the field while each named field has this value (a list: any of).",
    )
    inline = serializers.BooleanField(help_text="Also edited on the node card.")
    hidden = serializers.BooleanField(help_text="Accepted in configs but not shown in forms.")


class RetryPolicyOutput(serializers.Serializer):
    max_attempts = serializers.IntegerField()
    backoff = serializers.CharField()
    base_s = serializers.FloatField()
    max_s = serializers.FloatField()
    jitter = serializers.FloatField()
    park_after_s = serializers.FloatField()


class PoliciesOutput(serializers.Serializer):
    timeout_s = serializers.FloatField(allow_null=True)
    retry = RetryPolicyOutput()
    breaker = serializers.JSONField(allow_null=True)
    rate_limit = serializers.JSONField(allow_null=True)
    cache = serializers.JSONField(allow_null=True)


class BlockManifestOutput(serializers.Serializer):
    key = serializers.CharField()
    version = serializers.IntegerField(min_value=1)
    versions = serializers.ListField(child=serializers.IntegerField(min_value=1))
    title = serializers.CharField()
    category = serializers.CharField()
    icon = serializers.CharField()
    description = serializers.CharField()
    config_schema = serializers.JSONField(help_text="JSON Schema (2020-12) of the config.")
    ui = serializers.DictField(child=UiHintOutput(), help_text="Form hints by config field.")
    inputs = serializers.ListField(child=serializers.CharField())
    outputs = serializers.ListField(child=serializers.CharField())
    output_fields = serializers.DictField(child=serializers.CharField())
    dynamic_outputs = serializers.BooleanField()
    has_body = serializers.BooleanField()
    policies = PoliciesOutput()
    deprecated = serializers.BooleanField()
    deprecated_since = serializers.DateField(allow_null=True)


class BlockCategoryOutput(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    blocks = BlockManifestOutput(many=True)


class BlockCatalogOutput(serializers.Serializer):
    categories = BlockCategoryOutput(many=True)
