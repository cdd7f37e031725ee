"""Back-off delays and ``Retry-After`` parsing, shared by block retries and outbound calls."""

from __future__ import annotations

import email.utils
from collections.abc import Callable
from typing import Literal

Backoff = Literal["exponential", "linear", "fixed"]


def backoff_delay(
    backoff: Backoff,
    retry_number: int,
    *,
    base_s: float,
    max_s: float,
    jitter: float,
    rand: Callable[[], float],
) -> float:
    """Seconds before retry ``retry_number`` (1 for the first retry).

    Jitter scales the capped delay by a random factor in ``[1 - jitter, 1]``: it spreads
    retries of many callers without ever waiting longer than ``max_s``.
    """
    if backoff == "exponential":
        delay = base_s * 2.0 ** (retry_number - 1)
    elif backoff == "linear":
        delay = base_s * retry_number
    else:
        delay = base_s
    return max(0.0, min(max_s, delay) * (1 - jitter * rand()))


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """Seconds from ``now`` (wall clock) given a ``Retry-After`` of seconds or an HTTP date."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - now)
