"""In-memory ports: for tests, benchmarks and single-node test runs. Not for production:
nothing here is shared between processes."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime, timedelta
from typing import Any

from apps.workflows.engine.ports import ResumeSignal
from apps.workflows.engine.types import StepRecord

__all__ = ["CancelFlags", "FakeClock", "InMemoryKV", "InMemoryResume", "InMemoryStepStore",
           "NoObserver", "SystemClock"]


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


_MISSING = object()


class InMemoryKV:
    """Django-cache-compatible subset with expiry read from ``clock``."""

    def __init__(self, clock: Any = None) -> None:
        self._clock = clock or SystemClock()
        self._data: dict[str, tuple[Any, float | None]] = {}
        self._lock = threading.RLock()

    def _expiry(self, timeout: float | None) -> float | None:
        return None if timeout is None else self._clock.now().timestamp() + timeout

    def _live(self, key: str) -> Any:
        item = self._data.get(key)
        if item is None:
            return _MISSING
        value, expires = item
        if expires is not None and self._clock.now().timestamp() >= expires:
            del self._data[key]
            return _MISSING
        return value

    def get(self, key: str, default: Any = None) -> Any:
        with self._lock:
            value = self._live(key)
            return default if value is _MISSING else value

    def set(self, key: str, value: Any, timeout: float | None = 300) -> None:
        with self._lock:
            self._data[key] = (value, self._expiry(timeout))

    def add(self, key: str, value: Any, timeout: float | None = 300) -> bool:
        with self._lock:
            if self._live(key) is not _MISSING:
                return False
            self._data[key] = (value, self._expiry(timeout))
            return True

    def incr(self, key: str, delta: int = 1) -> int:
        with self._lock:
            value = self._live(key)
            if value is _MISSING:
                raise ValueError(f"Key '{key}' not found")
            new = int(value) + delta
            self._data[key] = (new, self._data[key][1])
            return new

    def delete(self, key: str) -> bool:
        with self._lock:
            return self._data.pop(key, None) is not None

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        with self._lock:
            found = {k: self._live(k) for k in keys}
            return {k: v for k, v in found.items() if v is not _MISSING}


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

    def step(self, *, node_id: str, block_type: str,
             block_version: int) -> AbstractContextManager[NoObserver]:
        return self._same

    def finished(self, record: StepRecord) -> None:
        pass
