"""Monitoring reads from the rollups plus the few runs not rolled up yet.

Used when the window holds at least one whole hour before the rollup watermark (rollup.py),
and never for minute buckets (windows of 3 h or less, read raw): the window's whole hours
come from the rollups (its whole days from the daily rows, but for hour buckets), its partial
hours and every run and step not rolled yet from the raw rows (hybrid_sql.py). Counts are exact
either way; percentiles come from the histograms (apps/workflows/histogram.py: within 19 %
of the exact figure). The failing nodes' last error is read from the newest failed step of
the ten nodes shown only, by its id.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.db import connection

from apps.workflows import histogram
from apps.workflows.models import ExecutionStep, Workflow
from apps.workflows.monitoring import db, hybrid_sql, sql
from apps.workflows.monitoring.rollup import watermark
from apps.workflows.monitoring.window import Window, truncate

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Split:
    """The window's whole hours ``[first, last)`` and the watermark."""

    workspace_id: UUID
    window: Window
    first: datetime
    last: datetime
    mark: datetime

    def raw_params(self) -> list[Any]:
        ws, start, end = db.window_params(self.workspace_id, self.window)
        first, last, mark = (
            connection.ops.adapt_datetimefield_value(v) for v in (self.first, self.last, self.mark)
        )
        return [ws, start, first, ws, last, end, ws, first, last, ws, first, last, mark]

    def step_params(self) -> list[Any]:
        ws, start, end = db.window_params(self.workspace_id, self.window)
        first, last, mark = (
            connection.ops.adapt_datetimefield_value(v) for v in (self.first, self.last, self.mark)
        )
        return [ws, start, first, ws, last, end, ws, first, last, mark, ws, first, last, mark]

    def rolled_params(self, *, days: bool = True) -> list[Any]:
        """The whole hours, the whole days among them read from the day rows (``days``)."""
        day_first = truncate(self.first + DAY - HOUR, "day")
        day_last = truncate(self.last, "day")
        if not days or day_first >= day_last:
            day_first = day_last = self.last
        ws = db.window_params(self.workspace_id, self.window)[0]
        first, day_first, day_last, last = (
            connection.ops.adapt_datetimefield_value(v)
            for v in (self.first, day_first, day_last, self.last)
        )
        return [ws, first, day_first, day_last, last, ws, day_first, day_last]


def split(workspace_id: UUID, window: Window) -> Split | None:
    """How to read the window with the rollups; None when they hold nothing of it."""
    if window.bucket == "minute":
        return None
    first = truncate(window.start, "hour")
    first += HOUR if first < window.start else timedelta(0)
    last = truncate(window.end, "hour")
    mark = watermark() if first < last else None
    if mark is None or mark <= first:
        return None
    return Split(workspace_id, window, first, last, mark)


def timeline_counts(part: Split) -> dict[datetime, dict[str, int]]:
    """Runs per bucket start and status."""
    bucket = part.window.bucket
    param = sql.SQLITE_BUCKET_FORMAT[bucket] if db.vendor() == "sqlite" else bucket
    counts: dict[datetime, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for start, status, runs in db.rows(
        hybrid_sql.TIMELINE_RAW[db.vendor()], [param, *part.raw_params()]
    ):
        counts[db.instant(start)][status] += runs
    # Day rows only serve day buckets.
    rolled = part.rolled_params(days=bucket == "day")
    for start, status, runs in db.rows(hybrid_sql.TIMELINE_ROLLED, rolled):
        counts[truncate(db.instant(start), bucket)][status] += int(runs)
    return counts


def _percentiles(counts: list[int]) -> tuple[float | None, float | None]:
    return db.ms(histogram.percentile(counts, 0.5)), db.ms(histogram.percentile(counts, 0.95))


def _empty() -> list[int]:
    return [0] * histogram.BUCKETS


def workflow_durations(part: Split) -> list[dict[str, Any]]:
    runs: dict[UUID, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    hists: dict[UUID, list[int]] = defaultdict(_empty)
    for k, status, bucket, n in db.rows(hybrid_sql.WORKFLOWS_RAW[db.vendor()], part.raw_params()):
        runs[db.as_uuid(k)][status] += n
        if bucket is not None:
            hists[db.as_uuid(k)][bucket] += n
    for k, status, n, *counts in db.rows(hybrid_sql.WORKFLOWS_ROLLED, part.rolled_params()):
        runs[db.as_uuid(k)][status] += int(n)
        histogram.add(hists[db.as_uuid(k)], counts)
    names = dict(Workflow.objects.filter(pk__in=runs).values_list("pk", "name"))
    result: list[dict[str, Any]] = []
    for k, by_status in runs.items():
        succeeded, failed = by_status["succeeded"], by_status["failed"]
        p50, p95 = _percentiles(hists[k])
        result.append(
            {
                "workflow": k,
                "workflow_name": names.get(k, ""),
                "runs": sum(by_status.values()),
                "succeeded": succeeded,
                "failed": failed,
                "success_rate": succeeded / (succeeded + failed) if succeeded + failed else None,
                "p50_ms": p50,
                "p95_ms": p95,
            }
        )
    result.sort(
        key=lambda r: (r["p95_ms"] is None, -(r["p95_ms"] or 0), -r["runs"], r["workflow_name"])
    )
    return result[: sql.LIMIT_WORKFLOWS]


def block_durations(part: Split) -> list[dict[str, Any]]:
    steps: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    hists: dict[str, list[int]] = defaultdict(_empty)
    for k, status, bucket, n in db.rows(hybrid_sql.BLOCKS_RAW[db.vendor()], part.step_params()):
        steps[k][0] += n
        steps[k][1] += n if status == "failed" else 0
        hists[k][bucket] += n
    for k, n, failed, *counts in db.rows(hybrid_sql.BLOCKS_ROLLED, part.rolled_params()):
        steps[k][0] += int(n)
        steps[k][1] += int(failed)
        histogram.add(hists[k], counts)
    result: list[dict[str, Any]] = []
    for k, (n, failed) in steps.items():
        p50, p95 = _percentiles(hists[k])
        result.append({"block_type": k, "steps": n, "failed": failed, "p50_ms": p50, "p95_ms": p95})
    result.sort(key=lambda r: (-(r["p95_ms"] or 0), r["block_type"]))
    return result[: sql.LIMIT_BLOCKS]


def failing_nodes(part: Split) -> list[tuple[Any, ...]]:
    """-> (workflow, name, node, block type, failures, last failed at, last error message)."""
    found: dict[tuple[UUID, str], list[int]] = defaultdict(lambda: [0, 0])
    for query, params in (
        (hybrid_sql.NODES_RAW, part.step_params()),
        (hybrid_sql.NODES_ROLLED, part.rolled_params()),
    ):
        for workflow, node_id, failures, newest in db.rows(query, params):
            entry = found[(db.as_uuid(workflow), node_id)]
            entry[0] += int(failures)
            entry[1] = max(entry[1], int(newest))
    names = dict(Workflow.objects.filter(pk__in={w for w, _ in found}).values_list("pk", "name"))
    top = sorted(found.items(), key=lambda i: (-i[1][0], names.get(i[0][0], ""), i[0][1]))
    top = top[: sql.LIMIT_NODES]
    last = {
        step["pk"]: step
        for step in ExecutionStep.objects.filter(pk__in=[newest for _, (_, newest) in top]).values(
            "pk", "block_type", "finished_at", "error"
        )
    }
    rows = []
    for (workflow, node_id), (failures, newest) in top:
        # Retention may have deleted the step the rollup points at.
        step = last.get(newest, {"block_type": "", "finished_at": None, "error": None})
        error = step["error"]
        message = error.get("message") if isinstance(error, dict) else None
        last_at = step["finished_at"]
        rows.append(
            (
                workflow,
                names.get(workflow, ""),
                node_id,
                step["block_type"],
                failures,
                last_at,
                message,
            )
        )
    return rows
