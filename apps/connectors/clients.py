"""The platform's guarded outbound client, built from settings in this one place: the
allow-list from ``OUTBOUND_ALLOWLIST`` and the policy state in the shared cache, so every
worker sees the same breakers, windows and pauses. Callers add their own timeouts and
default target (polling retries nothing inline, model APIs get longer reads)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache

from apps.connectors.outbound import OutboundClient, SSRFPolicy


def outbound_client(**options: Any) -> OutboundClient:
    """A new guarded client; ``options`` are OutboundClient's keyword arguments."""
    return OutboundClient(
        SSRFPolicy(allowlist=list(settings.OUTBOUND_ALLOWLIST)), store=cache, **options
    )
