"""Reads for triggers, always scoped to the caller's workspaces."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import OuterRef, QuerySet, Subquery

from apps.triggers.models import Trigger, WebhookDelivery
from apps.workspaces.exceptions import NotFound


def trigger_list(*, user: AbstractBaseUser) -> QuerySet[Trigger]:
    """Triggers of the caller's workspaces, with the newest webhook delivery time."""
    newest = (WebhookDelivery.objects.filter(trigger=OuterRef("pk"))
              .order_by("-received_at").values("received_at")[:1])
    return (Trigger.objects.filter(workspace__memberships__user=user)
            .select_related("workflow")
            .annotate(last_delivery_at=Subquery(newest))
            .order_by("-created_at"))


def trigger_get(*, user: AbstractBaseUser, trigger_id: object) -> Trigger:
    try:
        return trigger_list(user=user).get(pk=trigger_id)
    except (Trigger.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Trigger not found.") from exc
