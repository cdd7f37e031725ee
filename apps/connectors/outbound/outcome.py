"""What the client tells its observer about each finished call (``OutboundClient(on_call=...)``).

Plain data, no Django: the client runs below the apps that know which workspace a call is
for, so it reports every call and lets the observer (``apps/connectors/call_metrics.py``)
decide what to keep. Nothing secret: the error text is already redacted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CallOutcome:
    target_key: str | None  # the TargetPolicy's key ("connector:<slug>"), None for plain URLs
    status: int | None  # the final HTTP status; None when nothing answered
    seconds: float  # the whole call, retries included
    error: str = ""  # "" for a success; redacted
    rate_limited: bool = False  # HTTP 429, or refused by the target's rate limiter

    @property
    def ok(self) -> bool:
        return self.status is not None and self.status < 400


CallObserver = Callable[[CallOutcome], None]
