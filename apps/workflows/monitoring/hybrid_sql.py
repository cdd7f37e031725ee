"""The monitoring queries that read the rollups (``_rolled``: the window's whole days from
the daily rows, its other whole hours from the hourly ones) and the runs and steps not rolled
up yet: ``RAW``, the runs of the window's partial hours at both ends, and in its whole hours
the unfinished runs and those finished since the watermark; ``STEPS_RAW``, every step of the
partial hours' runs, and in the whole hours the steps not rolled of the runs finished since
the watermark and the steps of unfinished runs that finished since it (a step is rolled when
it ends, rollup.py). Each branch is a range of one index (0007, 0008, 0011); the branches
are disjoint, so every run and step is counted once, from the rollups or raw.

Parameters: ``hybrid.Split.raw_params``, ``step_params`` and ``rolled_params``.
"""

# ruff: noqa: S608 (the texts join this module's own constants; values are parameters)
from __future__ import annotations

from apps.workflows.histogram import COLUMNS, bucket_sql
from apps.workflows.monitoring import sql
from apps.workflows.monitoring.rollup import NOT_ROLLED

_COLS = "e.id, e.workflow_id, e.status, e.created_at, e.started_at"
_WHERE = "FROM workflows_execution e WHERE e.workspace_id = %s AND e.created_at >= %s "
_RANGE = f"SELECT {_COLS}, e.finished_at {_WHERE} AND e.created_at < %s"
# The unfinished runs' finish is NULL by the branch's own condition: a literal, so the rows
# come from the partial index alone (0008: ~20 k of them scattered over a month's heap pages
# were 12 k page reads, ~0.5 s).
_UNFINISHED = f"SELECT {_COLS}, NULL {_WHERE} AND e.created_at < %s AND e.finished_at IS NULL"
RAW = (
    f"({_RANGE} UNION ALL {_RANGE} UNION ALL {_UNFINISHED} "
    f"UNION ALL {_RANGE} AND e.finished_at >= %s) e"
)
RAW_PARAMS = 13
# A run that never started (queued, not yet claimed) has no steps: not looked up.
_STARTED = "e.started_at IS NOT NULL"
_STEPS_OF = (
    "SELECT s.id, s.block_type, s.node_id, s.status, s.started_at, s.finished_at, "
    "e.workflow_id FROM workflows_executionstep s JOIN workflows_execution e "
    "ON e.id = s.execution_id WHERE e.workspace_id = %s AND e.created_at >= %s "
    "AND e.created_at < %s"
)
# The last branch reads the steps first (their finish index), not every unfinished run's
# steps: a month holds ~10 k runs waiting, their ended steps already rolled (even those
# without a finish time) and their waiting ones counted nowhere.
STEPS_RAW = (
    f"({_STEPS_OF} AND {_STARTED} UNION ALL {_STEPS_OF} AND {_STARTED} "
    f"UNION ALL {_STEPS_OF} AND e.finished_at >= %s AND {NOT_ROLLED} "
    f"UNION ALL {_STEPS_OF} AND e.finished_at IS NULL "
    f"AND s.finished_at >= %s AND {NOT_ROLLED}) s"
)
_SUMS = ", ".join(f"SUM({c})" for c in COLUMNS)
_HISTOGRAM = ", ".join(COLUMNS)


def _rolled(table: str, columns: str) -> str:
    """``table``'s rows of the window as ``(t, *columns)``: hourly rows before and after
    the whole days, day rows for those (``t``: the hour or the day)."""
    return (
        f"(SELECT hour AS t, {columns} FROM {table} WHERE workspace_id = %s "
        "AND (hour >= %s AND hour < %s OR hour >= %s AND hour < %s) "
        f"UNION ALL SELECT day, {columns} FROM {table}day "
        "WHERE workspace_id = %s AND day >= %s AND day < %s) r"
    )


_RUN_MS = {"postgresql": sql.PG_MS.format(alias="e"), "sqlite": sql.SQLITE_MS.format(alias="e")}
_STEP_MS = {"postgresql": sql.PG_MS.format(alias="s"), "sqlite": sql.SQLITE_MS.format(alias="s")}
_TIMED_RUN = f"{sql.TIMED_RUN} AND e.started_at IS NOT NULL AND e.finished_at IS NOT NULL"

# -> (bucket start, status, runs); the bucket (PostgreSQL) or its format (SQLite) comes first.
TIMELINE_RAW = {
    "postgresql": "SELECT date_trunc(%s, e.created_at AT TIME ZONE 'UTC'), e.status, count(*) "
    f"FROM {RAW} GROUP BY 1, 2",
    "sqlite": f"SELECT strftime(%s, e.created_at), e.status, count(*) FROM {RAW} GROUP BY 1, 2",
}
# -> (hour, status, runs)
TIMELINE_ROLLED = (
    f"SELECT t, status, SUM(runs) FROM {_rolled('workflows_runrollup', 'status, runs')} "
    "GROUP BY 1, 2"
)

# -> (workflow, status, histogram bucket or NULL, runs)
WORKFLOWS_RAW = {
    v: f"SELECT e.workflow_id, e.status, CASE WHEN {_TIMED_RUN} THEN {bucket_sql(ms)} END, "
    f"count(*) FROM {RAW} GROUP BY 1, 2, 3"
    for v, ms in _RUN_MS.items()
}
# -> (workflow, status, runs, *histogram)
WORKFLOWS_ROLLED = (
    f"SELECT workflow_id, status, SUM(runs), {_SUMS} "
    f"FROM {_rolled('workflows_runrollup', f'workflow_id, status, runs, {_HISTOGRAM}')} "
    "GROUP BY 1, 2"
)

# -> (block type, status, histogram bucket, steps)
BLOCKS_RAW = {
    v: f"SELECT s.block_type, s.status, {bucket_sql(ms)}, count(*) "
    f"FROM {STEPS_RAW} WHERE {sql.TIMED_STEP} GROUP BY 1, 2, 3"
    for v, ms in _STEP_MS.items()
}
# -> (block type, steps, failed, *histogram)
BLOCKS_ROLLED = (
    f"SELECT block_type, SUM(steps), SUM(failed), {_SUMS} "
    f"FROM {_rolled('workflows_steprollup', f'block_type, steps, failed, {_HISTOGRAM}')} "
    "GROUP BY 1"
)

# -> (workflow, node, failures, newest failed step id)
NODES_RAW = (
    "SELECT s.workflow_id, s.node_id, count(*), MAX(s.id) "
    f"FROM {STEPS_RAW} WHERE s.status = 'failed' GROUP BY 1, 2"
)
NODES_ROLLED = (
    "SELECT workflow_id, node_id, SUM(failures), MAX(last_step_id) FROM "
    f"{_rolled('workflows_nodefailurerollup', 'workflow_id, node_id, failures, last_step_id')} "
    "GROUP BY 1, 2"
)
