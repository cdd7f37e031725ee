"""Input and output shapes of the trigger API. Secrets are write-only (shown once)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

from apps.core.api.serializers import StrictSerializer
from apps.core.exceptions import NotFound
from apps.triggers.models import Trigger, WebhookDelivery
from apps.workspaces.models import Role
from apps.workspaces.selectors import membership_get


class TriggerOutput(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()
    webhook_url = serializers.SerializerMethodField()
    test_url = serializers.SerializerMethodField()
    test_url_expires_at = serializers.SerializerMethodField()
    last_fired_at = serializers.SerializerMethodField()
    has_secret = serializers.SerializerMethodField()

    class Meta:
        model = Trigger
        fields = [
            "id",
            "workspace",
            "workflow",
            "node_id",
            "kind",
            "is_active",
            "enabled",
            "status",
            "config",
            "webhook_url",
            "test_url",
            "test_url_expires_at",
            "has_secret",
            "last_fired_at",
            "next_fire_at",
            "consecutive_errors",
            "last_error",
            "recent_errors",
            "created_at",
            "updated_at",
        ]

    def _url(self, name: str, token: str | None) -> str | None:
        if not token:
            return None
        path = reverse(name, kwargs={"token": token})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_status(self, trigger: Trigger) -> str:
        """inactive (not published), disabled (switched off), failing or active."""
        if not trigger.is_active:
            return "inactive"
        if not trigger.enabled:
            return "disabled"
        return "failing" if trigger.consecutive_errors else "active"

    def _may_edit(self, trigger: Trigger) -> bool:
        """Whether the caller is an editor (or more) of the trigger's workspace.

        The URLs start runs (the test URL runs the draft), which a viewer may not do through
        ``POST /run/`` either, so they are null for viewers. Cached per workspace and request.
        """
        request = self.context.get("request")
        if request is None:
            return False
        known: dict[Any, bool] = self.context.setdefault("_editor_of", {})
        if trigger.workspace_id not in known:
            try:
                membership = membership_get(user=request.user, workspace_id=trigger.workspace_id)
            except NotFound:
                membership = None
            known[trigger.workspace_id] = bool(membership and membership.allows(Role.EDITOR))
        return known[trigger.workspace_id]

    def get_webhook_url(self, trigger: Trigger) -> str | None:
        return self._url("hook", trigger.webhook_token) if self._may_edit(trigger) else None

    def get_test_url(self, trigger: Trigger) -> str | None:
        if not self._may_edit(trigger) or not self._test_url_live(trigger):
            return None
        return self._url("hook-test", trigger.test_token)

    def get_test_url_expires_at(self, trigger: Trigger) -> str | None:
        if not self._may_edit(trigger) or not self._test_url_live(trigger):
            return None
        return trigger.test_token_expires_at.isoformat().replace("+00:00", "Z")

    @staticmethod
    def _test_url_live(trigger: Trigger) -> bool:
        expires = trigger.test_token_expires_at
        return bool(trigger.test_token) and expires is not None and expires > timezone.now()

    def get_last_fired_at(self, trigger: Trigger) -> Any:
        stamps = [
            s
            for s in (trigger.last_fired_at, getattr(trigger, "last_delivery_at", None))
            if s is not None
        ]
        return max(stamps).isoformat().replace("+00:00", "Z") if stamps else None

    def get_has_secret(self, trigger: Trigger) -> bool:
        return trigger.secret_ciphertext is not None


class TriggerDetailOutput(TriggerOutput):
    signing_secret = serializers.CharField(
        allow_null=True, help_text="Shown once after creation or rotation; null afterwards."
    )

    class Meta(TriggerOutput.Meta):
        fields = [*TriggerOutput.Meta.fields, "signing_secret"]


class JSONBoolean(serializers.BooleanField):
    """true or false only: DRF's own also takes "no", "off", 0 and "0", which a typo in a
    client would turn into a silent switch-off."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class TriggerUpdateInput(StrictSerializer):
    """The trigger's on/off switch."""

    enabled = JSONBoolean(
        error_messages={"invalid": "Must be true or false."},
        help_text="Off: the webhook refuses deliveries (409) and schedules and polls skip "
        "the trigger; manual and API runs still work. Kept across republishes.",
    )


class SecretInput(StrictSerializer):
    secret = serializers.CharField(
        required=False,
        min_length=8,
        max_length=500,
        write_only=True,
        trim_whitespace=False,
        help_text="The provider's secret; omit to generate one.",
    )


class SecretOutput(serializers.Serializer):
    signing_secret = serializers.CharField(allow_null=True)


class DraftTestUrlInput(StrictSerializer):
    workflow = serializers.UUIDField()
    node_id = serializers.CharField(max_length=100)


class PollDefaultsInput(StrictSerializer):
    workspace = serializers.UUIDField()
    source = serializers.DictField(
        help_text="A poll trigger's source (kind http or connector), as in the node config."
    )


class PollDefaultsOutput(serializers.Serializer):
    items_path = serializers.CharField(allow_null=True)
    id_path = serializers.CharField(allow_null=True)
    cursor_path = serializers.CharField(allow_null=True)
    items_found = serializers.IntegerField(help_text="Items at items_path in the sample.")


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


class WebhookReceivedOutput(serializers.ModelSerializer):
    """A delivery in the audit log's shape: `webhook.received`, by no signed-in actor."""

    workspace = serializers.UUIDField(source="trigger.workspace_id")
    actor = serializers.SerializerMethodField()
    action = serializers.SerializerMethodField()
    target_type = serializers.SerializerMethodField()
    target_id = serializers.CharField(source="trigger_id")
    data = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(source="received_at")

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "workspace",
            "actor",
            "action",
            "target_type",
            "target_id",
            "data",
            "ip_address",
            "user_agent",
            "created_at",
        ]

    def get_actor(self, delivery: WebhookDelivery) -> None:
        return None

    def get_action(self, delivery: WebhookDelivery) -> str:
        return "webhook.received"

    def get_target_type(self, delivery: WebhookDelivery) -> str:
        return "Trigger"

    def get_data(self, delivery: WebhookDelivery) -> dict[str, Any]:
        return {
            "execution_id": str(delivery.execution_id) if delivery.execution_id else None,
            "delivery_id": delivery.delivery_id,
            "test": delivery.test,
        }
