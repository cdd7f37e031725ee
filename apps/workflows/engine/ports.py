"""The ports: the only ways the engine reaches the outside world.

The Django side implements them (``apps/workflows/persistence.py``); ``memory.py`` has
in-memory versions for tests, benchmarks and single-node test runs. Keep them small.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from apps.blocks.sdk import SubWorkflowResult, SubWorkflowRunner
from apps.workflows.engine.types import StepRecord

__all__ = [
    "CancelSignal",
    "Clock",
    "KeyValueStore",
    "ResumeSignal",
    "ResumeSource",
    "StepObserver",
    "StepStore",
    "StepWatch",
    "SubWorkflowResult",
    "SubWorkflowRunner",
]


class StepStore(Protocol):
    """Checkpoints, one row per ``(execution_id, key)``; ``record_step`` upserts.

    ``step`` returns the latest record of a step whatever its status; the runner asks it
    before every node and reuses finished steps, so a redelivered task never repeats one.
    (An ORM implementation can prefetch all steps of the execution on the first call.)
    """

    def step(self, execution_id: str, key: str) -> StepRecord | None: ...

    def record_step(self, execution_id: str, record: StepRecord) -> None: ...


class KeyValueStore(Protocol):
    """Shared policy state (breakers, rate windows, result cache).

    The subset of Django's cache API the engine uses, so ``django.core.cache.cache`` can be
    passed straight in. ``timeout`` is in seconds; None means forever. ``incr`` raises
    ``ValueError`` when the key is missing (as Django's does).
    """

    def get(self, key: str, default: Any = None) -> Any: ...

    def set(self, key: str, value: Any, timeout: float | None = ...) -> None: ...

    def add(self, key: str, value: Any, timeout: float | None = ...) -> bool: ...

    def incr(self, key: str, delta: int = 1) -> int: ...

    def delete(self, key: str) -> Any: ...

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]: ...


class Clock(Protocol):
    """Wall time for records and wake-ups; ``sleep`` for short retry back-offs."""

    def now(self) -> datetime: ...  # timezone-aware (UTC)

    def sleep(self, seconds: float) -> None: ...


@dataclass(frozen=True, slots=True)
class ResumeSignal:
    """A resume payload the host received for a waiting step (``payload`` may be None)."""

    payload: Any = None


class ResumeSource(Protocol):
    """Looks up the resume payload for a waiting step (a wait block, a child workflow)."""

    def resume_payload(self, execution_id: str, key: str) -> ResumeSignal | None: ...


class CancelSignal(Protocol):
    """Asked at every step boundary; True stops the execution."""

    def is_cancelled(self, execution_id: str) -> bool: ...


class StepWatch(Protocol):
    """Told how a step it watched ended."""

    def finished(self, record: StepRecord) -> None: ...


class StepObserver(Protocol):
    """Wrapped around every step the runner executes, on the thread that runs it (tracing).

    The engine knows no telemetry library: the host decides what a step becomes. A step of a
    loop's body runs inside its loop's step, so the host sees it nested there.
    """

    def step(self, *, node_id: str, block_type: str,
             block_version: int) -> AbstractContextManager[StepWatch]: ...
