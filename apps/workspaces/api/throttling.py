"""API rate limits per token (or signed-in user, or anonymous address) and per workspace.

Fixed windows counted on the shared cache (one round trip on Redis), so every web replica
enforces the same limit. Rates are "<count>/<second|minute|hour|day>" from the settings
API_RATE_PER_TOKEN, API_RATE_PER_WORKSPACE and API_RATE_ANONYMOUS; empty switches one off.
The workspace limit is checked where a request is resolved to a workspace (`require_role`);
lists across all the caller's workspaces count against the caller only.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Any

from django.conf import settings
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from apps.workspaces.client_ip import client_ip
from apps.workspaces.models import ApiToken
from apps.workspaces.ratelimit import window_count

if TYPE_CHECKING:  # rest_framework.views imports this module through its settings
    from rest_framework.views import APIView

_PERIODS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}


def parse_rate(rate: str) -> tuple[int, int] | None:
    """ "120/minute" -> (120, 60); an empty rate means no limit."""
    if not rate:
        return None
    count, _, period = rate.partition("/")
    return int(count), _PERIODS[period.strip().lower()]


def _wait(key: str, rate: str) -> int | None:
    """Seconds until the window of `key` has room again, or None when it has room now."""
    parsed = parse_rate(rate)
    if parsed is None:
        return None
    limit, period = parsed
    now = time.time()
    window = int(now // period)
    if window_count(f"api:rl:{key}:{period}:{window}", period + 1) <= limit:
        return None
    return max(1, math.ceil((window + 1) * period - now))


class CallerRateThrottle(BaseThrottle):
    """Per API token; per user for a browser session; per client address when anonymous."""

    def __init__(self) -> None:
        self.retry_after: int | None = None

    def allow_request(self, request: Request, view: APIView) -> bool:
        if isinstance(request.auth, ApiToken):
            key, rate = f"token:{request.auth.pk}", settings.API_RATE_PER_TOKEN
        elif request.user is not None and request.user.is_authenticated:
            key, rate = f"user:{request.user.pk}", settings.API_RATE_PER_TOKEN
        else:
            key, rate = f"ip:{client_ip(request) or 'unknown'}", settings.API_RATE_ANONYMOUS
        self.retry_after = _wait(key, rate)
        return self.retry_after is None

    def wait(self) -> float | None:
        return self.retry_after


def workspace_throttle(request: Any, workspace_id: Any) -> None:
    """Count the request against the workspace once; `Throttled` (429) when it is over."""
    seen: set[str] | None = getattr(request, "_throttled_workspaces", None)
    if seen is None:
        seen = request._throttled_workspaces = set()
    if str(workspace_id) in seen:
        return
    seen.add(str(workspace_id))
    wait = _wait(f"workspace:{workspace_id}", settings.API_RATE_PER_WORKSPACE)
    if wait is not None:
        raise exceptions.Throttled(wait=wait, detail="Too many requests for this workspace.")
