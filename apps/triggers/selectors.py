"""Reads for triggers, always scoped to the caller's workspaces."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import OuterRef, QuerySet, Subquery

from apps.core.exceptions import NotFound
from apps.triggers.models import Trigger, WebhookDelivery
from apps.workspaces.models import Membership, Role


def trigger_list(*, user: User) -> QuerySet[Trigger]:
    """Triggers of the caller's workspaces, with the newest webhook delivery time."""
    newest = (
        WebhookDelivery.objects.filter(trigger=OuterRef("pk"))
        .order_by("-received_at")
        .values("received_at")[:1]
    )
    return (
        Trigger.objects.filter(workspace__memberships__user=user)
        .select_related("workflow")
        .annotate(last_delivery_at=Subquery(newest))
        .order_by("-created_at")
    )


def trigger_get(*, user: User, trigger_id: object) -> Trigger:
    try:
        return trigger_list(user=user).get(pk=trigger_id)
    except (Trigger.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Trigger not found.") from exc


def webhook_delivery_list(*, user: User) -> QuerySet[WebhookDelivery]:
    """Deliveries to the triggers of the workspaces where the caller is an admin or owner
    (the `webhook.received` part of the audit log)."""
    admin_of = Membership.objects.filter(user=user, role__in=[Role.ADMIN, Role.OWNER]).values(
        "workspace_id"
    )
    return WebhookDelivery.objects.filter(trigger__workspace_id__in=admin_of).select_related(
        "trigger"
    )
