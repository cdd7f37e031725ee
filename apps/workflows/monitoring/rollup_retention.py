"""What retention deletes leaves the rollups in the same transaction.

A rolled run (finished before the watermark) is counted in its hour's rows, and so is a
rolled step (of a rolled run, or noted in ``RolledStep``). When retention deletes a run, or a
slice of steps, the same counts are subtracted: the rollup's own queries (rollup.py),
negated, over exactly the rows being deleted that were rolled; rows that fell to zero go,
and the touched days are summed again from their hours; a step's note goes with it.
So the page counts the runs still stored, whether it reads them raw or rolled. The
watermark row is locked first: a tick cannot roll a run or step between this check and the
delete. Rows not rolled yet are left alone (never added). A node's ``last_step_id`` may then
point at a deleted step: the reader shows no message for it (hybrid.py).
"""

# ruff: noqa: S608 (the texts join the rollup's own constants; values are parameters)
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db import connection

from apps.workflows.models import Execution, RollupWatermark
from apps.workflows.monitoring import rollup
from apps.workflows.monitoring.rollup_days import DAY, days_refresh, days_touched

_EMPTIED = (
    ("workflows_runrollup", "runs"),
    ("workflows_steprollup", "steps"),
    ("workflows_nodefailurerollup", "failures"),
)


def _mark() -> datetime | None:
    """The watermark, locked until the caller's transaction ends; None before any tick."""
    row = RollupWatermark.objects.select_for_update().filter(pk=1).first()
    return row.finished_before if row else None


def _subtract(queries: list[str], keys: Sequence[Any], mark: datetime, runs: Any) -> None:
    touched = days_touched(runs)
    params = [*keys, connection.ops.adapt_datetimefield_value(mark)]
    adapt = connection.ops.adapt_datetimefield_value
    prep = Execution._meta.get_field("workspace").get_db_prep_value
    with connection.cursor() as cursor:
        for query in queries:
            cursor.execute(query, params)
        for workspace_id, day in touched:
            ws, start, end = prep(workspace_id, connection), adapt(day), adapt(day + DAY)
            for table, count in _EMPTIED:
                cursor.execute(
                    f"DELETE FROM {table} WHERE workspace_id = %s AND hour >= %s "
                    f"AND hour < %s AND {count} <= 0",
                    [ws, start, end],
                )
        days_refresh(cursor, touched)


def steps_leave(step_ids: Sequence[int]) -> None:
    """Subtract these steps (about to be deleted, inside the caller's transaction)."""
    mark = _mark()
    if mark is None or not step_ids:
        return
    vendor = "postgresql" if connection.vendor == "postgresql" else "sqlite"
    # Rolled with its run, or before it (its run still going, or finished since the mark).
    ids = ", ".join(["%s"] * len(step_ids))
    where = f"s.id IN ({ids}) AND (e.finished_at < %s OR NOT {rollup.NOT_ROLLED})"
    queries = [rollup.steps_sql(vendor, where, "-"), rollup.node_failures_sql(vendor, where, "-")]
    runs = Execution.objects.filter(steps__pk__in=step_ids)
    _subtract(queries, step_ids, mark, runs)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM workflows_rolledstep WHERE step_id IN ({ids})", list(step_ids))


def runs_leave(run_ids: Sequence[UUID]) -> None:
    """Subtract these runs (about to be deleted, inside the caller's transaction)."""
    mark = _mark()
    if mark is None or not run_ids:
        return
    vendor = "postgresql" if connection.vendor == "postgresql" else "sqlite"
    where = f"e.id IN ({', '.join(['%s'] * len(run_ids))}) AND e.finished_at < %s"
    prep = Execution._meta.pk.get_db_prep_value
    keys = [prep(pk, connection) for pk in run_ids]
    runs = Execution.objects.filter(pk__in=run_ids, finished_at__lt=mark)
    _subtract([rollup.runs_sql(vendor, where, "-")], keys, mark, runs)
