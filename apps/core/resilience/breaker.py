"""The circuit breaker: closed -> open after N consecutive failures -> half-open after the
reset time (one probe at a time, across workers) -> closed on the probe's success, open
again on its failure.

State is three keys under the caller's ``key`` in the shared store: the failure count, the
time it opened and the probe claim (taken with ``add``, so two workers never both probe).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from apps.core.resilience.store import KeyValueStore, counter_incr

BreakerState = Literal["closed", "open", "half_open"]


@dataclass(frozen=True)
class BreakerTicket:
    """What ``before`` let through: a normal call, or the half-open probe."""

    key: str
    probe: bool


class BreakerOpen(Exception):
    """The breaker refused the call; ``retry_after`` is when it may let one through."""

    def __init__(self, key: str, retry_after: float) -> None:
        super().__init__(f"circuit open for {key}")
        self.key, self.retry_after = key, retry_after


class CircuitBreaker:
    def __init__(self, store: KeyValueStore, *, clock: Callable[[], float] = time.time) -> None:
        self.store, self.clock = store, clock

    @staticmethod
    def _keys(key: str) -> tuple[str, str, str]:
        return f"{key}:failures", f"{key}:opened_at", f"{key}:probe"

    def state(self, key: str, *, reset_after_s: float) -> BreakerState:
        opened_at = self.store.get(self._keys(key)[1])
        if opened_at is None:
            return "closed"
        return "open" if self.clock() - float(opened_at) < reset_after_s else "half_open"

    def before(self, key: str, *, reset_after_s: float) -> BreakerTicket:
        """Let a call through, or raise BreakerOpen."""
        _, opened_key, probe_key = self._keys(key)
        opened_at = self.store.get(opened_key)
        if opened_at is None:
            return BreakerTicket(key, probe=False)
        remaining = float(opened_at) + reset_after_s - self.clock()
        if remaining > 0:
            raise BreakerOpen(key, remaining)
        # The claim expires in case its holder dies mid-call (whole seconds: Redis).
        if self.store.add(probe_key, 1, max(1, math.ceil(reset_after_s))):
            return BreakerTicket(key, probe=True)
        raise BreakerOpen(key, min(reset_after_s, 1.0))

    def success(self, ticket: BreakerTicket) -> None:
        failures_key, opened_key, probe_key = self._keys(ticket.key)
        if ticket.probe:
            self.store.delete(opened_key)
            self.store.delete(probe_key)
        self.store.delete(failures_key)

    def failure(
        self,
        ticket: BreakerTicket,
        *,
        failure_threshold: int,
        failure_window_s: float | None = None,
    ) -> None:
        """Count a failed call; ``failure_window_s`` forgets failures that long after the
        first (None: they count until a success)."""
        failures_key, opened_key, probe_key = self._keys(ticket.key)
        if ticket.probe:
            self.store.set(opened_key, self.clock(), None)
            self.store.delete(probe_key)
            return
        ttl = None if failure_window_s is None else int(failure_window_s) + 1
        if counter_incr(self.store, failures_key, ttl) >= failure_threshold:
            self.store.set(opened_key, self.clock(), None)
            self.store.delete(failures_key)

    def neutral(self, ticket: BreakerTicket) -> None:
        """The attempt said nothing about the target's health (refused, parked): free the
        probe for the next caller."""
        if ticket.probe:
            self.store.delete(self._keys(ticket.key)[2])
