"""Replay protection for signature presets that sign the body alone (no timestamp).

``hmac_sha256``, ``hmac_sha1``, ``github`` and ``shopify`` sign only the body, and their
delivery-id header is not signed (and may be missing), so a captured request stayed valid
forever: resent with a fresh id, or none, it started a new run each time. For these presets
the de-duplication key of a delivery is the SHA-256 of the signed body instead of the
provider's id: the same signed body is a duplicate (answered with the first run) for
``TRIGGER_REPLAY_WINDOW_SECONDS`` (72 h by default: longer than Shopify's 48 h of retries).
A sender that must deliver byte-identical bodies more often should use a preset with a
signed timestamp. Presets with a signed timestamp keep the provider's id: their tolerance
window already bounds replays.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from apps.triggers.models import WebhookDelivery


def replay_key(*, preset: dict[str, Any], body: bytes) -> str | None:
    """The body-hash key for a timestamp-free signed preset, else None."""
    if not preset.get("signature") or preset.get("timestamp"):
        return None
    return "sha256:" + hashlib.sha256(body).hexdigest()


def replay_window_slide(*, trigger: Any, key: str, test: bool) -> None:
    """Free the key of a delivery older than the window, so the same body may run again.

    The old row stays (history) without its key; the unique (trigger, key) constraint then
    lets exactly one of several concurrent equal deliveries through.
    """
    cutoff = timezone.now() - timedelta(seconds=settings.TRIGGER_REPLAY_WINDOW_SECONDS)
    stored = f"test:{key}" if test else key
    WebhookDelivery.objects.filter(
        trigger=trigger, delivery_id=stored, received_at__lt=cutoff
    ).update(delivery_id=None)
