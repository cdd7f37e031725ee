"""Per-block policies: timeout, retry back-off, circuit breaker, rate limit, result cache.

Defaults come from the block's manifest (``BlockSpec.policies``); a node overrides any
field through ``data.policies`` (validated by :data:`POLICIES_SCHEMA`, ``null`` switches a
breaker, rate limit or cache off). Shared state (breakers, rate windows, cache) lives in
a :class:`~apps.workflows.engine.ports.KeyValueStore` so every worker sees the same state.

Timeouts and blocking I/O: a Python thread cannot be killed. :func:`call_with_timeout`
runs the block in a daemon thread and stops *waiting* at the deadline; the step is marked
timed out and the thread is left to finish on its own ("orphan"). The host bounds the
damage three ways: blocks get ``ctx.deadline`` to pass on to their I/O calls, at most
``max_orphans`` orphans may exist per process (then timed steps fail fast with
``too_many_orphans`` until they drain), and the Celery hard time limit recycles a worker
whose orphans never return.
"""

from __future__ import annotations

import contextvars
import dataclasses
import random
import threading
from collections.abc import Callable, Mapping
from typing import Any, Literal, TypeVar

from jmespath.exceptions import JMESPathError
from jsonschema import Draft202012Validator

from apps.blocks.sdk import (
    BreakerPolicy,
    CachePolicy,
    Policies,
    RateLimitPolicy,
    RetryPolicy,
)
from apps.workflows.engine.expressions import compile_expression
from apps.workflows.engine.ports import Clock, KeyValueStore

__all__ = [
    "POLICIES_SCHEMA",
    "CircuitBreaker",
    "RateLimiter",
    "StepTimeout",
    "TooManyOrphans",
    "backoff_delay",
    "call_with_timeout",
    "merge_policies",
    "orphan_count",
    "policies_errors",
]

_NUMBER = {"type": "number", "minimum": 0}
POLICIES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "timeout_s": {"type": ["number", "null"], "exclusiveMinimum": 0, "maximum": 86400},
        "retry": {
            "type": "object", "additionalProperties": False,
            "properties": {
                "max_attempts": {"type": "integer", "minimum": 1, "maximum": 50},
                "backoff": {"enum": ["fixed", "linear", "exponential"]},
                "base_s": _NUMBER, "max_s": _NUMBER, "park_after_s": _NUMBER,
                "jitter": {"type": "number", "minimum": 0, "maximum": 1},
            },
        },
        "breaker": {
            "type": ["object", "null"], "additionalProperties": False,
            "properties": {
                "failure_threshold": {"type": "integer", "minimum": 1},
                "reset_after_s": {"type": "number", "exclusiveMinimum": 0},
            },
        },
        "rate_limit": {
            "type": ["object", "null"], "additionalProperties": False,
            "required": ["limit", "per_s"],
            "properties": {
                "limit": {"type": "integer", "minimum": 1},
                "per_s": {"type": "number", "exclusiveMinimum": 0},
            },
        },
        "cache": {
            "type": ["object", "null"], "additionalProperties": False, "required": ["ttl_s"],
            "properties": {
                "ttl_s": {"type": "number", "exclusiveMinimum": 0},
                "key": {"type": ["string", "null"]},
            },
        },
    },
}
_VALIDATOR = Draft202012Validator(POLICIES_SCHEMA)


def policies_errors(override: Any) -> list[tuple[str, str]]:
    """``(field, message)`` for every problem of a node's ``data.policies``."""
    problems = []
    for error in _VALIDATOR.iter_errors(override):
        path = "policies" + "".join(
            f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        problems.append((path, error.message))
    cache = override.get("cache") if isinstance(override, Mapping) else None
    if isinstance(cache, Mapping) and isinstance(cache.get("key"), str):
        try:
            compile_expression(cache["key"])
        except JMESPathError as exc:
            problems.append(("policies.cache.key", f"invalid expression: {exc}"))
    return problems


def merge_policies(defaults: Policies, override: Mapping[str, Any]) -> Policies:
    """The block's policies with a node's (already validated) overrides applied."""
    changes: dict[str, Any] = {}
    if "timeout_s" in override:
        changes["timeout_s"] = override["timeout_s"]
    if "retry" in override:
        changes["retry"] = dataclasses.replace(defaults.retry, **override["retry"])
    sections: dict[str, type[Any]] = {
        "breaker": BreakerPolicy, "rate_limit": RateLimitPolicy, "cache": CachePolicy}
    for name, cls in sections.items():
        if name not in override:
            continue
        value = override[name]
        current = getattr(defaults, name)
        if value is None:
            changes[name] = None
        elif current is not None:
            changes[name] = dataclasses.replace(current, **value)
        else:
            changes[name] = cls(**value)
    return dataclasses.replace(defaults, **changes)


def backoff_delay(policy: RetryPolicy, failures: int, rng: random.Random) -> float:
    """Seconds to wait after the ``failures``-th failed attempt (1-based), jitter applied."""
    if policy.backoff == "fixed":
        delay = policy.base_s
    elif policy.backoff == "linear":
        delay = policy.base_s * failures
    else:
        delay = policy.base_s * (2 ** (failures - 1))
    delay = min(delay, policy.max_s)
    if policy.jitter:
        delay *= 1 + rng.uniform(-policy.jitter, policy.jitter)
    return max(0.0, delay)


BreakerState = Literal["closed", "open", "half_open"]


class CircuitBreaker:
    """Closed -> open after N consecutive failures -> half-open after the reset time (one
    trial call at a time) -> closed on success, open again on failure.

    State is three KV keys under ``key``: the failure count, the time it opened and the
    half-open trial claim (taken with ``add`` so two workers never both probe).
    """

    def __init__(self, kv: KeyValueStore, clock: Clock, key: str, policy: BreakerPolicy) -> None:
        self._kv, self._clock, self._policy = kv, clock, policy
        self._failures = f"{key}:failures"
        self._opened = f"{key}:opened"
        self._trial = f"{key}:trial"

    def state(self) -> BreakerState:
        opened = self._kv.get(self._opened)
        if opened is None:
            return "closed"
        if self._clock.now().timestamp() - float(opened) < self._policy.reset_after_s:
            return "open"
        return "half_open"

    def allow(self) -> bool:
        """May a call go through now? In half-open, only the worker that claims the trial."""
        state = self.state()
        if state == "closed":
            return True
        if state == "open":
            return False
        return bool(self._kv.add(self._trial, 1, self._policy.reset_after_s))

    def record_success(self) -> None:
        current = self._kv.get_many([self._failures, self._opened])
        if current.get(self._opened) is not None:
            self._kv.delete(self._opened)
            self._kv.delete(self._trial)
        if current.get(self._failures):
            self._kv.delete(self._failures)

    def record_failure(self) -> None:
        now = self._clock.now().timestamp()
        if self._kv.get(self._opened) is not None:  # a half-open trial failed: open again
            self._kv.set(self._opened, now, None)
            self._kv.delete(self._trial)
            return
        self._kv.add(self._failures, 0, None)
        try:
            failures = self._kv.incr(self._failures)
        except ValueError:  # evicted between add and incr
            self._kv.set(self._failures, 1, None)
            failures = 1
        if failures >= self._policy.failure_threshold:
            self._kv.set(self._opened, now, None)
            self._kv.delete(self._failures)


class RateLimiter:
    """Sliding-window counter: this window's count plus the previous window's count
    weighted by how much of it still overlaps. Two keys, ``incr`` only, so it is atomic
    enough on Redis and needs no Lua."""

    def __init__(self, kv: KeyValueStore, clock: Clock, key: str, policy: RateLimitPolicy) -> None:
        self._kv, self._clock, self._key, self._policy = kv, clock, key, policy

    def acquire(self) -> float:
        """Take a slot: 0.0 when granted, else the seconds to wait before trying again."""
        window, limit = self._policy.per_s, self._policy.limit
        now = self._clock.now().timestamp()
        slot = int(now // window)
        elapsed = (now % window) / window
        current_key, previous_key = f"{self._key}:{slot}", f"{self._key}:{slot - 1}"
        self._kv.add(current_key, 0, 2 * window + 1)
        try:
            count = self._kv.incr(current_key)
        except ValueError:
            self._kv.set(current_key, 1, 2 * window + 1)
            count = 1
        previous = int(self._kv.get(previous_key) or 0)
        if previous * (1 - elapsed) + count <= limit:
            return 0.0
        self._kv.incr(current_key, -1)  # give the slot back
        if count > limit or previous == 0:
            return (1 - elapsed) * window  # this window is full: wait for the next one
        # When does the previous window's weight drop enough for one more call?
        needed = 1 - (limit - count) / previous
        return max((needed - elapsed) * window, 0.001)


T = TypeVar("T")
_orphans = 0
_orphans_lock = threading.Lock()


class StepTimeout(Exception):
    """The call ran past its timeout; its thread may still be running (an orphan)."""


class TooManyOrphans(Exception):
    """Too many timed-out calls are still running in this process."""


def orphan_count() -> int:
    return _orphans


def call_with_timeout(fn: Callable[[], T], timeout_s: float, max_orphans: int = 16) -> T:
    """Run ``fn`` in a daemon thread and wait at most ``timeout_s`` seconds for it."""
    global _orphans
    if _orphans >= max_orphans:
        raise TooManyOrphans(f"{_orphans} timed-out calls are still running in this worker")
    done = threading.Event()
    box: dict[str, Any] = {}
    abandoned = False

    def target() -> None:
        global _orphans
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the caller, whatever it is
            box["error"] = exc
        finally:
            with _orphans_lock:
                done.set()
                if abandoned:
                    _orphans -= 1

    # The call sees the caller's context (the log line ids of the step).
    thread = threading.Thread(target=contextvars.copy_context().run, args=(target,),
                              name="flowplane-step", daemon=True)
    thread.start()
    if not done.wait(timeout_s):
        with _orphans_lock:
            if not done.is_set():
                abandoned = True
                _orphans += 1
                raise StepTimeout(f"timed out after {timeout_s:g}s")
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]
