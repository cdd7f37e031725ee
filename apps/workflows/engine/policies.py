"""Per-block policies: timeout, retry back-off, circuit breaker, rate limit, result cache.

Defaults come from the block's manifest (``BlockSpec.policies``); a node overrides any
field through ``data.policies`` (validated by :data:`POLICIES_SCHEMA`, ``null`` switches a
breaker, rate limit or cache off). The breaker, the rate window and the back-off are
apps.core.resilience, shared with the outbound client; their state (and the result cache)
lives in a :class:`~apps.core.resilience.store.KeyValueStore` so every worker sees it.

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
from typing import Any, TypeVar

from jmespath.exceptions import JMESPathError
from jsonschema import Draft202012Validator

from apps.blocks.sdk import (
    BreakerPolicy,
    CachePolicy,
    Policies,
    RateLimitPolicy,
    RetryPolicy,
)
from apps.core.resilience import retry
from apps.workflows.engine.expressions import compile_expression

__all__ = [
    "POLICIES_SCHEMA",
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
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "max_attempts": {"type": "integer", "minimum": 1, "maximum": 50},
                "backoff": {"enum": ["fixed", "linear", "exponential"]},
                "base_s": _NUMBER,
                "max_s": _NUMBER,
                "park_after_s": _NUMBER,
                "jitter": {"type": "number", "minimum": 0, "maximum": 1},
            },
        },
        "breaker": {
            "type": ["object", "null"],
            "additionalProperties": False,
            "properties": {
                "failure_threshold": {"type": "integer", "minimum": 1},
                "reset_after_s": {"type": "number", "exclusiveMinimum": 0},
            },
        },
        "rate_limit": {
            "type": ["object", "null"],
            "additionalProperties": False,
            "required": ["limit", "per_s"],
            "properties": {
                "limit": {"type": "integer", "minimum": 1},
                "per_s": {"type": "number", "exclusiveMinimum": 0},
            },
        },
        "cache": {
            "type": ["object", "null"],
            "additionalProperties": False,
            "required": ["ttl_s"],
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
            f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path
        )
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
        "breaker": BreakerPolicy,
        "rate_limit": RateLimitPolicy,
        "cache": CachePolicy,
    }
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
    return retry.backoff_delay(
        policy.backoff,
        failures,
        base_s=policy.base_s,
        max_s=policy.max_s,
        jitter=policy.jitter,
        rand=rng.random,
    )


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
    thread = threading.Thread(
        target=contextvars.copy_context().run, args=(target,), name="flowplane-step", daemon=True
    )
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
