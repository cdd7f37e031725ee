"""Per-target policies: retry, rate limit, circuit breaker, and call metrics.

A *target* is whatever shares a budget upstream: a connector (``"connector:github"``), or by
default the ``host:port`` of the URL. All state lives in a ``KeyValueStore`` (Django's cache
in production) so every worker sees the same windows, breakers and counters.

Design choices, and why:

- Retry only idempotent methods, or requests carrying an idempotency key: repeating a POST
  that timed out after the server acted would duplicate its side effect.
- Never sleep long in a worker. Waits up to ``max_wait``/``max_delay`` happen inline; beyond
  that ``RateLimited``/``CircuitOpen`` carry ``retry_after`` so the engine parks the execution
  (docs/ARCHITECTURE.md: waiting never holds a worker).
- A 429's ``Retry-After`` is recorded for the whole target, so other calls and workers stop
  hammering an API that asked for a pause, not only the call that was told.
- Fixed-window rate limiting: one ``add`` + one ``incr`` per call, atomic on Redis, and good
  enough for provider quotas stated as "N per period".
- The breaker counts consecutive failed attempts (connection errors and 5xx, not 4xx/429);
  after ``reset_timeout`` exactly one probe is let through (``add`` on a probe key is the
  cross-worker lock); its success closes the breaker, its failure re-opens it.
"""

from __future__ import annotations

import email.utils
import hashlib
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .errors import CircuitOpen, RateLimited
from .store import KeyValueStore

__all__ = [
    "BreakerPolicy",
    "CircuitBreaker",
    "Metrics",
    "RateLimitPolicy",
    "RateLimiter",
    "RetryPolicy",
    "TargetMetrics",
    "TargetPolicy",
    "parse_retry_after",
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
    backoff: Literal["exponential", "linear", "fixed"] = "exponential"
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
        if self.backoff == "exponential":
            base = self.base_delay * 2 ** (retry_number - 1)
        elif self.backoff == "linear":
            base = self.base_delay * retry_number
        else:
            base = self.base_delay
        return min(self.max_delay, base) * (1 - self.jitter * rng())


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


def _add_then_incr(store: KeyValueStore, key: str, timeout: float | None) -> int:
    store.add(key, 0, timeout)
    try:
        return int(store.incr(key))
    except ValueError:  # expired between add and incr
        store.add(key, 0, timeout)
        return int(store.incr(key))


class RateLimiter:
    """Fixed-window limiter plus the target-wide pause set by a 429's Retry-After."""

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
            window = int(now // policy.period)
            key = f"{PREFIX}:{target_key(target)}:rl:{window}"
            count = _add_then_incr(self.store, key, int(policy.period * 2) + 1)
            if count <= policy.limit:
                return
            wait = (window + 1) * policy.period - now
            if waited + wait > policy.max_wait:
                raise RateLimited(target, wait)
            self.sleep(wait)
            waited += wait


@dataclass(frozen=True)
class BreakerTicket:
    """What ``CircuitBreaker.before`` let through: a normal call or the half-open probe."""

    target: str
    probe: bool


class CircuitBreaker:
    def __init__(self, store: KeyValueStore, *, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock

    def _keys(self, target: str) -> tuple[str, str, str]:
        base = f"{PREFIX}:{target_key(target)}:cb"
        return f"{base}:failures", f"{base}:opened_at", f"{base}:probe"

    def state(self, target: str, policy: BreakerPolicy) -> str:
        """``closed``, ``open`` or ``half_open`` (for health pages and tests)."""
        _, opened_key, _ = self._keys(target)
        opened_at = self.store.get(opened_key)
        if opened_at is None:
            return "closed"
        return "open" if self.clock() - float(opened_at) < policy.reset_timeout else "half_open"

    def before(self, target: str, policy: BreakerPolicy) -> BreakerTicket:
        """Let a call through or raise CircuitOpen."""
        _, opened_key, probe_key = self._keys(target)
        opened_at = self.store.get(opened_key)
        if opened_at is None:
            return BreakerTicket(target, probe=False)
        remaining = float(opened_at) + policy.reset_timeout - self.clock()
        if remaining > 0:
            raise CircuitOpen(target, remaining)
        if self.store.add(probe_key, 1, max(1, int(policy.reset_timeout))):
            return BreakerTicket(target, probe=True)
        raise CircuitOpen(target, min(policy.reset_timeout, 1.0))

    def success(self, ticket: BreakerTicket) -> None:
        failures_key, opened_key, probe_key = self._keys(ticket.target)
        if ticket.probe:
            self.store.delete(opened_key)
            self.store.delete(probe_key)
        self.store.delete(failures_key)

    def failure(self, ticket: BreakerTicket, policy: BreakerPolicy) -> None:
        failures_key, opened_key, probe_key = self._keys(ticket.target)
        if ticket.probe:
            self.store.set(opened_key, self.clock(), None)
            self.store.delete(probe_key)
            return
        count = _add_then_incr(self.store, failures_key, int(policy.failure_window) + 1)
        if count >= policy.failure_threshold:
            self.store.set(opened_key, self.clock(), None)
            self.store.delete(failures_key)

    def neutral(self, ticket: BreakerTicket) -> None:
        """The attempt said nothing about the target's health (e.g. refused by policy)."""
        if ticket.probe:
            self.store.delete(self._keys(ticket.target)[2])


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
        _add_then_incr(self.store, self._key(target, name), None)

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
