"""The platform's guarded outbound client, built from settings in this one place: the
allow-list from ``OUTBOUND_ALLOWLIST`` and the policy state in the shared cache, so every
worker sees the same breakers, windows and pauses. Callers add their own timeouts and
default target (polling retries nothing inline, model APIs get longer reads). Every client
reports its calls to ``call_metrics.record_call``, which keeps the connector calls of a
workspace (the Status page)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache

from apps.connectors.call_metrics import record_call
from apps.connectors.outbound import OutboundClient, SSRFPolicy


def outbound_client(**options: Any) -> OutboundClient:
    """A new guarded client; ``options`` are OutboundClient's keyword arguments."""
    options.setdefault("on_call", record_call)
    return OutboundClient(
        SSRFPolicy(allowlist=list(settings.OUTBOUND_ALLOWLIST)), store=cache, **options
    )
