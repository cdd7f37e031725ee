"""Triggers start published workflows; fires and deliveries are recorded for exactly-once."""

import uuid

from django.db import models

from apps.workflows.models import Execution, Workflow
from apps.workspaces.models import Workspace


class Trigger(models.Model):
    class Kind(models.TextChoices):
        WEBHOOK = "webhook", "Webhook"
        SCHEDULE = "schedule", "Schedule"
        POLL = "poll", "Polling"
        MANUAL = "manual", "Manual"
        API = "api", "API"
        APP_EVENT = "app_event", "App event"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="triggers")
    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="triggers")
    node_id = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    config = models.JSONField(default=dict, blank=True)
    # Derived from publishing: a live version declares the node.
    is_active = models.BooleanField(default=False)
    # The user's on/off switch, kept across republishes: off, the webhook refuses deliveries
    # and the tick skips the row (manual and API runs of the workflow are not affected).
    enabled = models.BooleanField(default=True)
    # Unguessable path segment for webhooks; null for other kinds.
    webhook_token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # The test URL's segment: runs the draft instead of the published version.
    test_token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # The test URL stops working then (null: expired); an editor asking for it renews it.
    test_token_expires_at = models.DateTimeField(null=True, blank=True)
    # Signing secret, sealed like credentials (shown once, then write-only).
    secret_ciphertext = models.BinaryField(null=True, blank=True)
    secret_revealed = models.BooleanField(default=False)
    next_fire_at = models.DateTimeField(null=True, blank=True)
    last_fired_at = models.DateTimeField(null=True, blank=True)
    cursor = models.JSONField(default=dict, blank=True)
    consecutive_errors = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # The last few errors, newest first: [{"at": iso, "message": str}].
    recent_errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workflow", "node_id"], name="trigger_unique_node")
        ]
        indexes = [
            # The scheduler tick claims due rows by this column alone.
            models.Index(
                fields=["next_fire_at"],
                name="trigger_due",
                condition=models.Q(is_active=True, next_fire_at__isnull=False),
            ),
        ]


class TriggerFire(models.Model):
    """One scheduled or polled fire. The unique key makes a second scheduler's fire a no-op."""

    class Outcome(models.TextChoices):
        FIRED = "fired", "Fired"
        SKIPPED_OVERLAP = "skipped_overlap", "Skipped: previous run unfinished"
        SKIPPED_MISFIRE = "skipped_misfire", "Skipped: missed while down"
        POLLED = "polled", "Polled"

    id = models.BigAutoField(primary_key=True)
    trigger = models.ForeignKey(Trigger, on_delete=models.CASCADE, related_name="fires")
    scheduled_for = models.DateTimeField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.FIRED)
    execution = models.ForeignKey(
        Execution, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["trigger", "scheduled_for"], name="trigger_fire_unique_time"
            )
        ]


class WebhookDelivery(models.Model):
    """An accepted webhook request; the provider's delivery id de-duplicates redeliveries."""

    id = models.BigAutoField(primary_key=True)
    trigger = models.ForeignKey(Trigger, on_delete=models.CASCADE, related_name="deliveries")
    # The de-duplication key: the provider's id, or for presets that sign no timestamp the
    # signed body's hash (apps.triggers.replay). NULL (no key) must not collide with other
    # NULLs under the unique constraint.
    delivery_id = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    execution = models.ForeignKey(
        Execution, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    test = models.BooleanField(default=False)
    # The delivery row is the audit record of `webhook.received` (an audit row per delivery
    # would double the writes of the hottest path): who sent it is kept here.
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=256, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["trigger", "delivery_id"], name="webhook_delivery_unique_id"
            )
        ]
        indexes = [models.Index(fields=["trigger", "-received_at"], name="webhook_delivery_recent")]
