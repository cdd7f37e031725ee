"""In-memory ports: for tests, benchmarks and single-node test runs. Not for production:
nothing here is shared between processes."""

from __future__ import annotations

import threading
import time
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime, timedelta
from typing import Any

from apps.core.resilience.store import InMemoryStore
from apps.workflows.engine.ports import Clock, ResumeSignal
from apps.workflows.engine.types import StepRecord

__all__ = [
    "CancelFlags",
    "FakeClock",
    "InMemoryResume",
    "InMemoryStepStore",
    "NoObserver",
    "SystemClock",
    "memory_kv",
]


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class FakeClock:
    """A clock that only moves when told to; ``sleep`` moves it and records the call."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2025, 1, 1, tzinfo=UTC)
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def now(self) -> datetime:
        return self._now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self._now += timedelta(seconds=seconds)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += timedelta(seconds=seconds)


class InMemoryStepStore:
    """Step records per execution; ``writes`` counts ``record_step`` calls for tests."""

    def __init__(self) -> None:
        self.records: dict[str, dict[str, StepRecord]] = {}
        self.writes = 0
        self._lock = threading.Lock()

    def step(self, execution_id: str, key: str) -> StepRecord | None:
        return self.records.get(execution_id, {}).get(key)

    def record_step(self, execution_id: str, record: StepRecord) -> None:
        with self._lock:
            self.records.setdefault(execution_id, {})[record.key] = record
            self.writes += 1

    def steps(self, execution_id: str) -> dict[str, StepRecord]:
        return dict(self.records.get(execution_id, {}))


def memory_kv(clock: Clock) -> InMemoryStore:
    """A process-local key-value store whose expiry follows ``clock`` (a FakeClock in tests)."""
    return InMemoryStore(clock=lambda: clock.now().timestamp())


class InMemoryResume:
    """Resume payloads the host received, by ``(execution_id, step key)``."""

    def __init__(self) -> None:
        self._payloads: dict[tuple[str, str], ResumeSignal] = {}

    def resume(self, execution_id: str, key: str, payload: Any = None) -> None:
        self._payloads[(execution_id, key)] = ResumeSignal(payload)

    def resume_payload(self, execution_id: str, key: str) -> ResumeSignal | None:
        return self._payloads.get((execution_id, key))


class CancelFlags:
    """Cancel requests by execution id; ``after`` cancels once N checks have passed."""

    def __init__(self) -> None:
        self.cancelled: set[str] = set()
        self.checks = 0
        self.after: int | None = None

    def cancel(self, execution_id: str) -> None:
        self.cancelled.add(execution_id)

    def is_cancelled(self, execution_id: str) -> bool:
        self.checks += 1
        if self.after is not None and self.checks > self.after:
            return True
        return execution_id in self.cancelled


class NoObserver:
    """Watches no step (the runner's default): one shared, stateless context for every step."""

    def __init__(self) -> None:
        self._same = nullcontext(self)

    def step(
        self, *, node_id: str, block_type: str, block_version: int
    ) -> AbstractContextManager[NoObserver]:
        return self._same

    def finished(self, record: StepRecord) -> None:
        pass
