"""Fill the Monitoring page's hourly rollups (apps/workflows/rollup_models.py) from a beat task.

The rule: a run enters the rollups exactly once, at the first tick after it finished (a
finished run never changes again: its status and steps are final), and so does a step, at
the first tick after *it* finished, even while its run goes on (a run may wait for days: its
finished steps would otherwise be read raw on every page load). Each tick takes the runs
whose ``finished_at`` lies in ``[watermark, now - grace)`` and *adds* them, with those of their
steps not rolled yet, to the rows of the hour they were created in: one ``INSERT ... SELECT
... GROUP BY ... ON CONFLICT DO UPDATE`` per table, in one transaction with the watermark's
move. Then it adds the steps of the runs still going that ended (succeeded or failed) before
the new watermark, or without a finish time, and notes each in ``RolledStep`` (so its run's
rollup skips it; that drops the notes). So a run
that finishes days after its hour (a long wait) is added to that old hour when it ends, and
the readers (hybrid.py) take every run not rolled yet (unfinished, or finished at or after
the watermark) and every step not rolled yet from the raw rows. The grace covers runs whose
finish is committed a little after its ``finished_at`` (the time is taken before the commit).
The days whose hours changed are summed again into the daily rows in the same transaction
(rollup_days.py).
"""

# ruff: noqa: S608 (the texts join this module's own constants; values are parameters)
from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import Min
from django.utils import timezone

from apps.workflows.histogram import COLUMNS, bucket_sql
from apps.workflows.models import Execution, RollupWatermark
from apps.workflows.monitoring import sql
from apps.workflows.monitoring.rollup_days import days_refresh, days_touched

CHUNK = timedelta(days=1)
BUDGET_SECONDS = 150  # under the task's soft time limit (tasks.py)
HOUR = {
    "postgresql": "date_trunc('hour', {} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'",
    "sqlite": "strftime('%%Y-%%m-%%d %%H:00:00', {})",
}
MS = {"postgresql": sql.PG_MS, "sqlite": sql.SQLITE_MS}
# Keeps the bucket computed once per row: a subquery merged into its outer query would compute
# it again in each of the histogram's sums.
FENCE = {"postgresql": "OFFSET 0", "sqlite": "LIMIT -1"}
FINISHED_IN_TICK = "e.finished_at >= %s AND e.finished_at < %s"
NOT_ROLLED = "NOT EXISTS (SELECT 1 FROM workflows_rolledstep r WHERE r.step_id = s.id)"
# The finished steps, not rolled yet, of the runs the tick leaves raw (unfinished, or finished
# at or after its end), looked up run by run (on PostgreSQL a LATERAL join keeps the planner
# from hashing the whole step table for ~20 k runs in flight: 1 s instead of ~50 ms).
# A step ended (succeeded or failed) without a finish time is rolled too: the page reads raw
# only the steps that finished since the watermark, never the runs' waiting ones.
_STEPS_OF_RUN = (
    "SELECT s.id FROM workflows_executionstep s WHERE s.execution_id = e.id "
    "AND s.status IN ('succeeded', 'failed') "
    f"AND (s.finished_at < %s OR s.finished_at IS NULL) AND {NOT_ROLLED}"
)
_IN_FLIGHT = {
    "postgresql": f"SELECT s.id FROM workflows_execution e, LATERAL ({_STEPS_OF_RUN}) s WHERE ",
    "sqlite": _STEPS_OF_RUN.replace("WHERE", "JOIN workflows_execution e WHERE", 1) + " AND ",
}
STEPS_IN_FLIGHT = {
    v: f"{q}e.finished_at IS NULL UNION ALL {q}e.finished_at >= %s" for v, q in _IN_FLIGHT.items()
}
# Notes kept: those of steps still stored whose run the tick leaves raw. The others' run now
# counts them, or they were deleted (a workflow's runs in flight go with it). A scalar
# subquery per note (NULL when its step is gone): as a join, the planner hashed the whole
# step table (1.7 s for 20 k notes) instead of two key lookups per note (~50 ms).
NOTES_DONE = (
    "DELETE FROM workflows_rolledstep WHERE (SELECT COALESCE(e.finished_at >= %s, true) "
    "FROM workflows_executionstep s JOIN workflows_execution e ON e.id = s.execution_id "
    "WHERE s.id = workflows_rolledstep.step_id) IS NOT TRUE"
)
IDS_PER_STATEMENT = 500


def _histogram_sums(sign: str) -> str:
    return ", ".join(f"{sign}SUM(CASE WHEN b = {i} THEN 1 ELSE 0 END)" for i in range(len(COLUMNS)))


def _upsert(table: str, key: list[str], added: list[str], merged: dict[str, str]) -> str:
    """ON CONFLICT: counts are added to the row's; ``merged`` columns take an expression."""
    sets = [f"{c} = {table}.{c} + excluded.{c}" for c in added]
    sets += [f"{c} = {expr}" for c, expr in merged.items()]
    return f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {', '.join(sets)}"


# The three upserts add the runs (their steps, their failed steps) that ``where`` selects;
# with ``sign`` "-" they take them out again (retention, rollup_retention.py).
def runs_sql(vendor: str, where: str = FINISHED_IN_TICK, sign: str = "") -> str:
    hour, ms = HOUR[vendor].format("e.created_at"), MS[vendor].format(alias="e")
    timed = f"{sql.TIMED_RUN} AND e.started_at IS NOT NULL"
    rows = (
        f"SELECT e.workspace_id, e.workflow_id, {hour} AS hour, e.status, "
        f"CASE WHEN {timed} THEN {bucket_sql(ms)} END AS b "
        f"FROM workflows_execution e WHERE {where} {FENCE[vendor]}"
    )
    table = "workflows_runrollup"
    return (
        f"INSERT INTO {table} (workspace_id, workflow_id, hour, status, runs, "
        f"{', '.join(COLUMNS)}) SELECT workspace_id, workflow_id, hour, status, {sign}COUNT(*), "
        f"{_histogram_sums(sign)} FROM ({rows}) r WHERE true GROUP BY 1, 2, 3, 4 "
        + _upsert(table, ["workspace_id", "hour", "workflow_id", "status"], ["runs", *COLUMNS], {})
    )


def steps_sql(vendor: str, where: str = FINISHED_IN_TICK, sign: str = "") -> str:
    hour, ms = HOUR[vendor].format("e.created_at"), MS[vendor].format(alias="s")
    rows = (
        f"SELECT e.workspace_id, s.block_type, {hour} AS hour, s.status, {bucket_sql(ms)} AS b "
        "FROM workflows_executionstep s JOIN workflows_execution e ON e.id = s.execution_id "
        f"WHERE {where} AND {sql.TIMED_STEP} {FENCE[vendor]}"
    )
    table = "workflows_steprollup"
    return (
        f"INSERT INTO {table} (workspace_id, block_type, hour, steps, failed, "
        f"{', '.join(COLUMNS)}) SELECT workspace_id, block_type, hour, {sign}COUNT(*), "
        f"{sign}SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), {_histogram_sums(sign)} "
        f"FROM ({rows}) r WHERE true GROUP BY 1, 2, 3 "
        + _upsert(table, ["workspace_id", "hour", "block_type"], ["steps", "failed", *COLUMNS], {})
    )


def node_failures_sql(vendor: str, where: str = FINISHED_IN_TICK, sign: str = "") -> str:
    hour = HOUR[vendor].format("e.created_at")
    table = "workflows_nodefailurerollup"
    newest = {"postgresql": "GREATEST", "sqlite": "MAX"}[vendor]
    return (
        f"INSERT INTO {table} (workspace_id, workflow_id, node_id, hour, failures, last_step_id) "
        f"SELECT e.workspace_id, e.workflow_id, s.node_id, {hour}, {sign}COUNT(*), MAX(s.id) "
        "FROM workflows_executionstep s JOIN workflows_execution e ON e.id = s.execution_id "
        f"WHERE {where} AND s.status = 'failed' GROUP BY 1, 2, 3, 4 "
        + _upsert(
            table,
            ["workspace_id", "hour", "workflow_id", "node_id"],
            ["failures"],
            {"last_step_id": f"{newest}({table}.last_step_id, excluded.last_step_id)"},
        )
    )


_RUN_STEPS = f"{FINISHED_IN_TICK} AND {NOT_ROLLED}"
ROLLUPS = {
    v: [runs_sql(v), steps_sql(v, _RUN_STEPS), node_failures_sql(v, _RUN_STEPS)]
    for v in ("postgresql", "sqlite")
}


def rollup_tick(*, now: datetime | None = None) -> tuple[datetime, datetime] | None:
    """Add the runs finished since the watermark, a day of finishes per transaction (a first
    tick over a long history stays within the task's time limit and resumes where it
    stopped); returns the span rolled, None if there was nothing new."""
    until = (now or timezone.now()) - timedelta(seconds=settings.MONITORING_ROLLUP_GRACE_SECONDS)
    started, first, last = time.monotonic(), None, None
    while time.monotonic() - started < BUDGET_SECONDS:
        span = _roll_chunk(until)
        if span is None:
            break
        first, last = first or span[0], span[1]
    return (first, last) if first and last else None


def _roll_chunk(until: datetime) -> tuple[datetime, datetime] | None:
    with transaction.atomic():
        if not RollupWatermark.objects.filter(pk=1).exists():
            oldest = Execution.objects.aggregate(oldest=Min("finished_at"))["oldest"]
            RollupWatermark.objects.get_or_create(
                pk=1, defaults={"finished_before": oldest or until}
            )
        # The row lock keeps two ticks from adding the same runs twice.
        mark = RollupWatermark.objects.select_for_update().get(pk=1)
        since = mark.finished_before
        if until <= since:
            return None
        end = min(until, since + CHUNK)
        ops = connection.ops
        span = [ops.adapt_datetimefield_value(since), ops.adapt_datetimefield_value(end)]
        vendor = "postgresql" if connection.vendor == "postgresql" else "sqlite"
        with connection.cursor() as cursor:
            if vendor == "postgresql":
                cursor.execute("SET LOCAL jit = off")
            for query in ROLLUPS[vendor]:
                cursor.execute(query, span)
            cursor.execute(NOTES_DONE, span[1:])
            finished = Execution.objects.filter(finished_at__gte=since, finished_at__lt=end)
            touched = days_touched(finished) | _roll_steps_in_flight(cursor, vendor, span[1])
            days_refresh(cursor, touched)
        mark.finished_before = end
        mark.save(update_fields=["finished_before"])
    return since, end


def _roll_steps_in_flight(
    cursor: CursorWrapper, vendor: str, end: Any
) -> set[tuple[Any, datetime]]:
    """Add the finished steps of the runs still going and note them; the days touched. The
    ids are taken first so that the sums and the notes cover the same steps."""
    cursor.execute(STEPS_IN_FLIGHT[vendor], [end, end, end])
    ids = [row[0] for row in cursor.fetchall()]
    touched: set[tuple[Any, datetime]] = set()
    for start in range(0, len(ids), IDS_PER_STATEMENT):
        chunk = ids[start : start + IDS_PER_STATEMENT]
        where = f"s.id IN ({', '.join(['%s'] * len(chunk))})"
        for query in (steps_sql(vendor, where), node_failures_sql(vendor, where)):
            cursor.execute(query, chunk)
        cursor.execute(
            "INSERT INTO workflows_rolledstep (step_id) SELECT s.id "
            f"FROM workflows_executionstep s WHERE {where}",
            chunk,
        )
        touched |= days_touched(Execution.objects.filter(steps__pk__in=chunk))
    return touched


def watermark() -> datetime | None:
    """Runs finished before this instant are in the rollups; None before the first tick."""
    return RollupWatermark.objects.filter(pk=1).values_list("finished_before", flat=True).first()
