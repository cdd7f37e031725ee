"""Per-target policies: retry, rate limit, circuit breaker, and call metrics.

A *target* is whatever shares a budget upstream: a connector (``"connector:github"``), or by
default the ``host:port`` of the URL. All state lives in a ``KeyValueStore`` (Django's cache
in production) so every worker sees the same windows, breakers and counters. The mechanisms
(store, breaker, rate window, back-off, Retry-After) are apps.core.resilience, shared with the
engine's block policies; this module holds the catalogue's policy vocabulary and what is
particular to HTTP targets.

Design choices, and why:

- Retry only idempotent methods, or requests carrying an idempotency key: repeating a POST
  that timed out after the server acted would duplicate its side effect.
- Never sleep long in a worker. Waits up to ``max_wait``/``max_delay`` happen inline; beyond
  that ``RateLimited``/``CircuitOpen`` carry ``retry_after`` so the engine parks the execution
  (docs/ARCHITECTURE.md: waiting never holds a worker).
- A 429's ``Retry-After`` is recorded for the whole target, so other calls and workers stop
  hammering an API that asked for a pause, not only the call that was told.
- The breaker counts consecutive failed attempts (connection errors and 5xx, not 4xx/429)
  within ``failure_window``.
"""

from __future__ import annotations

import hashlib
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from apps.core.resilience import breaker as core_breaker
from apps.core.resilience.breaker import BreakerOpen, BreakerState, BreakerTicket
from apps.core.resilience.ratelimit import RateLimiter as Window
from apps.core.resilience.retry import Backoff, backoff_delay
from apps.core.resilience.store import KeyValueStore, counter_incr

from .errors import CircuitOpen, RateLimited

__all__ = [
    "BreakerPolicy",
    "CircuitBreaker",
    "Metrics",
    "RateLimitPolicy",
    "RateLimiter",
    "RetryPolicy",
    "TargetMetrics",
    "TargetPolicy",
]

PREFIX = "outbound:v1"
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
IDEMPOTENCY_HEADERS = ("idempotency-key", "x-idempotency-key")
_SAFE_KEY_RE = re.compile(r"^[A-Za-z0-9_.:\-\[\]]{1,120}$")


def target_key(name: str) -> str:
    """A cache-safe form of a target name (memcached rejects spaces and long keys)."""
    if _SAFE_KEY_RE.match(name):
        return name
    return "h:" + hashlib.sha256(name.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts in total (first one included) and the back-off between them."""

    max_attempts: int = 3
    backoff: Backoff = "exponential"
    base_delay: float = 0.5
    max_delay: float = 10.0  # no single wait is longer; a longer Retry-After ends retrying
    jitter: float = 0.2  # each delay is scaled by a random factor in [1 - jitter, 1]
    retry_statuses: frozenset[int] = frozenset({429, 500, 502, 503, 504})
    retry_connection_errors: bool = True

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if not 0 <= self.jitter <= 1:
            raise ValueError("jitter must be between 0 and 1")

    def delay(self, retry_number: int, rng: Callable[[], float] = random.random) -> float:
        """Seconds to wait before retry ``retry_number`` (1 for the first retry)."""
        return backoff_delay(
            self.backoff,
            retry_number,
            base_s=self.base_delay,
            max_s=self.max_delay,
            jitter=self.jitter,
            rand=rng,
        )


NO_RETRY = RetryPolicy(max_attempts=1)


def may_retry(method: str, headers: Mapping[str, str]) -> bool:
    """Idempotent method, or an idempotency key header that makes a repeat safe."""
    if method.upper() in IDEMPOTENT_METHODS:
        return True
    return any(name.lower() in IDEMPOTENCY_HEADERS for name in headers)


@dataclass(frozen=True)
class RateLimitPolicy:
    """At most ``limit`` calls per ``period`` seconds, across all workers."""

    limit: int
    period: float = 1.0
    max_wait: float = 1.0  # wait inline up to this long, else raise RateLimited

    def __post_init__(self) -> None:
        if self.limit < 1 or self.period <= 0:
            raise ValueError("rate limit needs limit >= 1 and period > 0")


@dataclass(frozen=True)
class BreakerPolicy:
    failure_threshold: int = 5
    reset_timeout: float = 30.0  # open this long, then let one probe through
    failure_window: float = 300.0  # failures older than this (since the first) are forgotten

    def __post_init__(self) -> None:
        if self.failure_threshold < 1 or self.reset_timeout <= 0:
            raise ValueError("breaker needs failure_threshold >= 1 and reset_timeout > 0")


@dataclass(frozen=True)
class TargetPolicy:
    """The policies of one target; ``key`` None means "host:port of the URL"."""

    key: str | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    rate_limit: RateLimitPolicy | None = None
    breaker: BreakerPolicy | None = None
    max_wait: float = 1.0  # longest inline wait for a target-wide Retry-After pause


class RateLimiter:
    """The shared sliding window plus the target-wide pause set by a 429's Retry-After."""

    def __init__(
        self,
        store: KeyValueStore,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.store = store
        self.clock = clock
        self.sleep = sleep
        self.window = Window(store, clock=clock)

    def _pause_key(self, target: str) -> str:
        return f"{PREFIX}:{target_key(target)}:paused_until"

    def pause(self, target: str, seconds: float) -> None:
        """Record that ``target`` asked us to stop for ``seconds`` (a 429's Retry-After)."""
        if seconds <= 0:
            return
        until = self.clock() + seconds
        current = self.store.get(self._pause_key(target))
        if current is None or float(current) < until:
            self.store.set(self._pause_key(target), until, int(seconds) + 2)

    def acquire(self, target: str, policy: RateLimitPolicy | None, *, max_wait: float) -> None:
        """Return when a call may be made; sleep up to ``max_wait`` or raise RateLimited."""
        waited = 0.0
        while True:
            now = self.clock()
            paused_until = self.store.get(self._pause_key(target))
            if paused_until is not None and float(paused_until) > now:
                wait = float(paused_until) - now
                if waited + wait > max_wait:
                    raise RateLimited(target, wait)
                self.sleep(wait)
                waited += wait
                continue
            if policy is None:
                return
            wait = self.window.acquire(
                f"{PREFIX}:{target_key(target)}:rl", limit=policy.limit, period_s=policy.period
            )
            if wait <= 0:
                return
            if waited + wait > policy.max_wait:
                raise RateLimited(target, wait)
            self.sleep(wait)
            waited += wait


class CircuitBreaker:
    """The shared breaker (apps.core.resilience.breaker), one per target, under the
    catalogue's policy; a refusal is ``CircuitOpen``."""

    def __init__(self, store: KeyValueStore, *, clock: Callable[[], float] = time.time) -> None:
        self.breaker = core_breaker.CircuitBreaker(store, clock=clock)

    @staticmethod
    def _key(target: str) -> str:
        return f"{PREFIX}:{target_key(target)}:cb"

    def state(self, target: str, policy: BreakerPolicy) -> BreakerState:
        """``closed``, ``open`` or ``half_open`` (for health pages and tests)."""
        return self.breaker.state(self._key(target), reset_after_s=policy.reset_timeout)

    def before(self, target: str, policy: BreakerPolicy) -> BreakerTicket:
        """Let a call through or raise CircuitOpen."""
        try:
            return self.breaker.before(self._key(target), reset_after_s=policy.reset_timeout)
        except BreakerOpen as exc:
            raise CircuitOpen(target, exc.retry_after) from None

    def success(self, ticket: BreakerTicket) -> None:
        self.breaker.success(ticket)

    def failure(self, ticket: BreakerTicket, policy: BreakerPolicy) -> None:
        self.breaker.failure(
            ticket,
            failure_threshold=policy.failure_threshold,
            failure_window_s=policy.failure_window,
        )

    def neutral(self, ticket: BreakerTicket) -> None:
        """The attempt said nothing about the target's health (e.g. refused by policy)."""
        self.breaker.neutral(ticket)


@dataclass(frozen=True)
class TargetMetrics:
    calls_total: int = 0
    succeeded: int = 0
    failed: int = 0
    rate_limited: int = 0
    last_error: Mapping[str, Any] | None = None  # {"at": epoch seconds, "error": safe text}
    last_success: float | None = None  # epoch seconds


class Metrics:
    """Per-target call counters kept in the store (never header values or bodies)."""

    COUNTERS = ("calls_total", "succeeded", "failed", "rate_limited")

    def __init__(self, store: KeyValueStore, *, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock

    def _key(self, target: str, name: str) -> str:
        return f"{PREFIX}:{target_key(target)}:m:{name}"

    def incr(self, target: str, name: str) -> None:
        counter_incr(self.store, self._key(target, name), None)

    def record_error(self, target: str, error: str) -> None:
        self.store.set(
            self._key(target, "last_error"), {"at": self.clock(), "error": error[:500]}, None
        )

    def record_success(self, target: str) -> None:
        self.store.set(self._key(target, "last_success"), self.clock(), None)

    def get(self, target: str) -> TargetMetrics:
        counts = {name: int(self.store.get(self._key(target, name), 0)) for name in self.COUNTERS}
        return TargetMetrics(
            **counts,
            last_error=self.store.get(self._key(target, "last_error")),
            last_success=self.store.get(self._key(target, "last_success")),
        )
