"""The ports: the only ways the engine reaches the outside world.

The Django side implements them (``apps/workflows/persistence.py``); ``memory.py`` has
in-memory versions for tests, benchmarks and single-node test runs. Keep them small.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from apps.blocks.sdk import SubWorkflowResult, SubWorkflowRunner
from apps.core.resilience.store import KeyValueStore  # shared policy state and the result cache
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

    def step(
        self, *, node_id: str, block_type: str, block_version: int
    ) -> AbstractContextManager[StepWatch]: ...
