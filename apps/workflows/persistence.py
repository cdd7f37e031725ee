"""The engine's ports, implemented with the ORM and Django's cache.

Step records are written as they finish (`DatabaseStepStore` says which wait for a batch),
so a redelivered execution resumes from them. Engine threads (parallel branches, loop
items) write through their own database connections; `close_thread_connections` closes
those when the execution ends.
"""

import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from apps.credentials.resolver import run_scrub
from apps.observability import metrics
from apps.workflows.engine.ports import ResumeSignal
from apps.workflows.engine.types import TERMINAL, StepRecord
from apps.workflows.models import Execution, ExecutionStep
from apps.workflows.runtime.claim import STEP_KEY, relaxed_session
from apps.workflows.runtime.statements import run_together, upsert

_META_FIELDS = ("handles", "park", "variables", "handled", "cached", "lost")


def _split_key(record: StepRecord) -> tuple[str, str]:
    """Engine keys are the node id plus `[i]` per enclosing loop item."""
    return record.node_id, record.key[len(record.node_id) :]


def _block_version(ref: str) -> int:
    _, _, version = ref.rpartition("@")
    return int(version) if version.isdigit() else 1


def step_to_row(execution_id: Any, record: StepRecord) -> ExecutionStep:
    # One redaction pass over all a step stores: a server may echo the run's credentials.
    data = run_scrub(execution_id, record.to_dict())
    node_id, item_key = _split_key(record)
    return ExecutionStep(
        execution_id=execution_id,
        node_id=node_id,
        item_key=item_key,
        block_type=record.block.rpartition("@")[0] or record.block,
        block_version=_block_version(record.block),
        status=record.status.value,
        input=data["input"],
        output=data["output"],
        error=data["error"],
        attempts=record.attempts,
        started_at=record.started_at,
        finished_at=record.finished_at,
        meta={name: data[name] for name in _META_FIELDS},
    )


def row_to_step(row: ExecutionStep) -> StepRecord:
    return StepRecord.from_dict(
        {
            "key": row.node_id + row.item_key,
            "node_id": row.node_id,
            "block": f"{row.block_type}@{row.block_version}",
            "status": row.status,
            "input": row.input,
            "output": row.output,
            "error": row.error,
            "attempts": row.attempts,
            "started_at": row.started_at,
            "finished_at": row.finished_at,
            **row.meta,
        }
    )


class DatabaseStepStore:
    """StepStore over ExecutionStep rows. Loads all steps of the execution on first use;
    `fresh` names executions known to have none yet (a first delivery), which skips that.

    Finished steps of blocks without side effects (`durable(block_ref)` is False) are kept
    back and written with the next durable step, or at `flush()`, in one statement: a worker
    that dies before then only makes a resumed run compute them again, which is harmless.
    Everything else (a step about to call out, a call's result, a wait) is written at once.
    """

    def __init__(
        self, *, fresh: str | None = None, durable: Callable[[str], bool] | None = None
    ) -> None:
        self._cache: dict[str, dict[str, StepRecord]] = {fresh: {}} if fresh else {}
        self._durable = durable or (lambda block_ref: True)
        self._pending: dict[tuple[str, str], StepRecord] = {}
        self._lock = threading.Lock()
        self._thread_connections: list[BaseDatabaseWrapper] = []

    def steps(self, execution_id: str) -> dict[str, StepRecord]:
        with self._lock:
            if execution_id not in self._cache:
                rows = ExecutionStep.objects.filter(execution_id=execution_id)
                self._cache[execution_id] = {
                    row.node_id + row.item_key: row_to_step(row) for row in rows
                }
            return self._cache[execution_id]

    def step(self, execution_id: str, key: str) -> StepRecord | None:
        return self.steps(execution_id).get(key)

    def record_step(self, execution_id: str, record: StepRecord) -> None:
        if record.status in TERMINAL:
            _count_step(record)
        with self._lock:
            self._cache.setdefault(execution_id, {})[record.key] = record
            self._pending[(execution_id, record.key)] = record
            if record.status in TERMINAL and not self._durable(record.block):
                return
            batch = self._take_pending()
            if threading.current_thread() is not threading.main_thread():
                opened = connections["default"]
                if opened not in self._thread_connections:
                    self._thread_connections.append(opened)
        _write(batch)

    def take_pending(self) -> list[ExecutionStep]:
        """The steps kept back, as rows for the statement that ends or parks the run."""
        with self._lock:
            return [
                step_to_row(execution_id, record) for execution_id, record in self._take_pending()
            ]

    def _take_pending(self) -> list[tuple[str, StepRecord]]:
        batch = [(execution_id, record) for (execution_id, _), record in self._pending.items()]
        self._pending = {}
        return batch

    def close_thread_connections(self) -> None:
        """Close the connections opened by engine threads; the threads are gone by now."""
        with self._lock:
            opened, self._thread_connections = self._thread_connections, []
        for thread_connection in opened:
            thread_connection.inc_thread_sharing()
            try:
                thread_connection.close()
            finally:
                thread_connection.dec_thread_sharing()


def _count_step(record: StepRecord) -> None:
    """Each step reaches a terminal record once (a resumed run reuses it, never re-records)."""
    seconds = (
        (record.finished_at - record.started_at).total_seconds()
        if record.finished_at and record.started_at
        else 0.0
    )
    metrics.block_finished(
        block_type=record.block.rpartition("@")[0] or record.block,
        status=record.status.value,
        seconds=seconds,
    )


def _write(batch: list[tuple[str, StepRecord]]) -> None:
    relaxed_session()
    for start in range(0, len(batch), _BATCH):
        rows = [
            step_to_row(execution_id, record)
            for execution_id, record in batch[start : start + _BATCH]
        ]
        run_together([upsert(rows, unique=STEP_KEY)])


_BATCH = 500  # rows per INSERT: a loop of thousands of items is written in slices


class ExecutionResumeSource:
    """Resume payloads stored on the execution row (approvals, resume URLs, child results)."""

    def __init__(self, resumes: dict[str, Any]) -> None:
        self._resumes = resumes

    def resume_payload(self, execution_id: str, key: str) -> ResumeSignal | None:
        if key not in self._resumes:
            return None
        return ResumeSignal(payload=self._resumes[key])


class ExecutionCancelSignal:
    """Reads the cancel flag at step boundaries, at most every `interval` seconds."""

    def __init__(self, interval: float = 0.5) -> None:
        # The claim just read the flag, so the first look is due one interval from now.
        self._interval = interval
        self._checked_at = time.monotonic()
        self._cancelled = False

    def is_cancelled(self, execution_id: str) -> bool:
        now = time.monotonic()
        if not self._cancelled and now - self._checked_at >= self._interval:
            self._checked_at = now
            self._cancelled = Execution.objects.filter(
                pk=execution_id, cancel_requested=True
            ).exists()
        return self._cancelled
