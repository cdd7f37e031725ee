"""Input and output shapes of the trigger API. Secrets are write-only (shown once)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from apps.triggers.models import Trigger
from apps.workspaces.api.serializers import StrictSerializer


class TriggerOutput(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()
    webhook_url = serializers.SerializerMethodField()
    test_url = serializers.SerializerMethodField()
    last_fired_at = serializers.SerializerMethodField()
    has_secret = serializers.SerializerMethodField()

    class Meta:
        model = Trigger
        fields = ["id", "workspace", "workflow", "node_id", "kind", "is_active", "status",
                  "config", "webhook_url", "test_url", "has_secret", "last_fired_at",
                  "next_fire_at", "consecutive_errors", "last_error", "recent_errors",
                  "created_at", "updated_at"]

    def _url(self, name: str, token: str | None) -> str | None:
        if not token:
            return None
        path = reverse(name, kwargs={"token": token})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_status(self, trigger: Trigger) -> str:
        if not trigger.is_active:
            return "inactive"
        return "failing" if trigger.consecutive_errors else "active"

    def get_webhook_url(self, trigger: Trigger) -> str | None:
        return self._url("hook", trigger.webhook_token)

    def get_test_url(self, trigger: Trigger) -> str | None:
        return self._url("hook-test", trigger.test_token)

    def get_last_fired_at(self, trigger: Trigger) -> Any:
        stamps = [s for s in (trigger.last_fired_at, getattr(trigger, "last_delivery_at", None))
                  if s is not None]
        return max(stamps).isoformat().replace("+00:00", "Z") if stamps else None

    def get_has_secret(self, trigger: Trigger) -> bool:
        return trigger.secret_ciphertext is not None


class TriggerDetailOutput(TriggerOutput):
    signing_secret = serializers.CharField(
        allow_null=True, help_text="Shown once after creation or rotation; null afterwards.")

    class Meta(TriggerOutput.Meta):
        fields = [*TriggerOutput.Meta.fields, "signing_secret"]


class SecretInput(StrictSerializer):
    secret = serializers.CharField(required=False, min_length=8, max_length=500,
                                   write_only=True, trim_whitespace=False,
                                   help_text="The provider's secret; omit to generate one.")


class SecretOutput(serializers.Serializer):
    signing_secret = serializers.CharField(allow_null=True)


class DraftTestUrlInput(StrictSerializer):
    workflow = serializers.UUIDField()
    node_id = serializers.CharField(max_length=100)


class CronPreviewInput(StrictSerializer):
    expression = serializers.CharField(max_length=200)
    timezone = serializers.CharField(max_length=64, default="UTC")
    count = serializers.IntegerField(min_value=1, max_value=50, default=5)


class FireTimeOutput(serializers.Serializer):
    at = serializers.DateTimeField(help_text="The instant, UTC.")
    local = serializers.CharField(help_text="The same instant in the trigger's zone.")


class PreviewOutput(serializers.Serializer):
    expression = serializers.CharField()
    timezone = serializers.CharField()
    runs = FireTimeOutput(many=True)
