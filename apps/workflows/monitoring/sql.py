"""The monitoring queries, one text per database vendor; every value is a parameter.

Each query aggregates in the database and returns a few dozen rows at most: no run or step
row is read into Python. PostgreSQL has ``date_trunc`` and ``percentile_cont``; SQLite (the
embedded default) buckets with ``strftime`` and computes the same continuous percentile
(linear interpolation between the two closest ranks) with window functions. Parameters, in
order: workspace id, window start, window end (``created_at`` of the run); the timeline
takes the bucket first.
"""

# ruff: noqa: S608 (the texts join this module's own constants; values are parameters)
from __future__ import annotations

RUNS_IN_WINDOW = "e.workspace_id = %s AND e.created_at >= %s AND e.created_at < %s"
LIMIT_WORKFLOWS = 50
LIMIT_BLOCKS = 15
LIMIT_NODES = 10

# Run durations count succeeded and failed runs only: a cancelled run stops at someone's whim.
TIMED_RUN = "e.status IN ('succeeded', 'failed')"
TIMED_STEP = (
    "s.status IN ('succeeded', 'failed') AND s.started_at IS NOT NULL AND s.finished_at IS NOT NULL"
)


def _sqlite_percentile(p: float) -> str:
    """percentile_cont(p) over rows ranked ``i`` (0-based) of ``n``, value ``d``."""
    lo = f"CAST({p} * (n - 1) AS INTEGER)"
    frac = f"({p} * (n - 1) - {lo})"
    return (
        f"SUM(CASE WHEN i = {lo} THEN d * (1 - {frac}) "
        f"WHEN i = {lo} + 1 THEN d * {frac} ELSE 0 END)"
    )


def _sqlite_ranked(source: str, extra: str = "") -> str:
    """``source`` yields (k, d, *extra); adds each row's rank ``i`` and group size ``n``."""
    return (
        f"SELECT k, d, {extra}ROW_NUMBER() OVER (PARTITION BY k ORDER BY d) - 1 AS i, "
        f"COUNT(*) OVER (PARTITION BY k) AS n FROM ({source}) src"
    )


SQLITE_PERCENTILES = f"{_sqlite_percentile(0.5)} AS p50, {_sqlite_percentile(0.95)} AS p95"
PG_PERCENTILES = (
    "percentile_cont(0.5) WITHIN GROUP (ORDER BY d) AS p50, "
    "percentile_cont(0.95) WITHIN GROUP (ORDER BY d) AS p95"
)
PG_MS = "extract(epoch FROM {alias}.finished_at - {alias}.started_at) * 1000"
SQLITE_MS = "(julianday({alias}.finished_at) - julianday({alias}.started_at)) * 86400000.0"

# -> (bucket start, status, runs)
TIMELINE = {
    "postgresql": (
        "SELECT date_trunc(%s, e.created_at AT TIME ZONE 'UTC') AS bucket, e.status, count(*) "
        f"FROM workflows_execution e WHERE {RUNS_IN_WINDOW} GROUP BY 1, 2"
    ),
    "sqlite": (
        "SELECT strftime(%s, e.created_at) AS bucket, e.status, count(*) "
        f"FROM workflows_execution e WHERE {RUNS_IN_WINDOW} GROUP BY 1, 2"
    ),
}
SQLITE_BUCKET_FORMAT = {
    "minute": "%Y-%m-%d %H:%M:00",
    "hour": "%Y-%m-%d %H:00:00",
    "day": "%Y-%m-%d 00:00:00",
}


def _per_workflow(vendor: str) -> str:
    """-> (workflow id, name, runs, succeeded, failed, p50 ms, p95 ms), slowest p95 first."""
    ms = (PG_MS if vendor == "postgresql" else SQLITE_MS).format(alias="e")
    counts = (
        "SELECT e.workflow_id AS k, count(*) AS runs, "
        "SUM(CASE WHEN e.status = 'succeeded' THEN 1 ELSE 0 END) AS succeeded, "
        "SUM(CASE WHEN e.status = 'failed' THEN 1 ELSE 0 END) AS failed "
        f"FROM workflows_execution e WHERE {RUNS_IN_WINDOW} GROUP BY e.workflow_id"
    )
    timed = (
        f"SELECT e.workflow_id AS k, {ms} AS d FROM workflows_execution e "
        f"WHERE {RUNS_IN_WINDOW} AND {TIMED_RUN} AND e.started_at IS NOT NULL "
        "AND e.finished_at IS NOT NULL"
    )
    if vendor == "postgresql":
        # One pass: counts and the ordered-set aggregates over the timed runs together.
        timed_only = f"FILTER (WHERE {TIMED_RUN})"
        return (
            "WITH c AS (SELECT e.workflow_id AS k, count(*) AS runs, "
            "count(*) FILTER (WHERE e.status = 'succeeded') AS succeeded, "
            "count(*) FILTER (WHERE e.status = 'failed') AS failed, "
            f"percentile_cont(0.5) WITHIN GROUP (ORDER BY {ms}) {timed_only} AS p50, "
            f"percentile_cont(0.95) WITHIN GROUP (ORDER BY {ms}) {timed_only} AS p95 "
            f"FROM workflows_execution e WHERE {RUNS_IN_WINDOW} GROUP BY e.workflow_id) "
            "SELECT c.k, w.name, c.runs, c.succeeded, c.failed, c.p50, c.p95 FROM c "
            "JOIN workflows_workflow w ON w.id = c.k "
            "ORDER BY c.p95 IS NULL, c.p95 DESC, c.runs DESC, w.name "
            f"LIMIT {LIMIT_WORKFLOWS}"
        )
    pct = f"SELECT k, {SQLITE_PERCENTILES} FROM ({_sqlite_ranked(timed)}) r GROUP BY k"
    return (
        f"WITH c AS ({counts}), p AS ({pct}) "
        "SELECT c.k, w.name, c.runs, c.succeeded, c.failed, p.p50, p.p95 FROM c "
        "JOIN workflows_workflow w ON w.id = c.k LEFT JOIN p ON p.k = c.k "
        "ORDER BY p.p95 IS NULL, p.p95 DESC, c.runs DESC, w.name "
        f"LIMIT {LIMIT_WORKFLOWS}"
    )


def _per_block(vendor: str) -> str:
    """-> (block type, steps, failed, p50 ms, p95 ms), slowest p95 first."""
    ms = (PG_MS if vendor == "postgresql" else SQLITE_MS).format(alias="s")
    timed = (
        f"SELECT s.block_type AS k, {ms} AS d, s.status FROM workflows_executionstep s "
        "JOIN workflows_execution e ON e.id = s.execution_id "
        # A run's steps start after it was created: the bound lets the step table be read by
        # its started_at index instead of whole (the third parameter is the window start).
        f"WHERE {RUNS_IN_WINDOW} AND {TIMED_STEP} AND s.started_at >= %s"
    )
    failed = "SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END)"
    if vendor == "postgresql":
        query = f"SELECT k, count(*), {failed}, {PG_PERCENTILES} FROM ({timed}) t GROUP BY k"
    else:
        ranked = _sqlite_ranked(timed, extra="status, ")
        query = f"SELECT k, count(*), {failed}, {SQLITE_PERCENTILES} FROM ({ranked}) r GROUP BY k"
    return f"{query} ORDER BY p95 DESC, k LIMIT {LIMIT_BLOCKS}"


def _failing_nodes(vendor: str) -> str:
    """-> (workflow id, name, node id, block type, failures, last failed at, last message),
    most failures first; the last failure is the newest failed step row. The message is read
    for those ten rows only (the ranking runs on the failed-steps index alone)."""
    message = {
        "postgresql": "m.error->>'message'",
        "sqlite": "json_extract(m.error, '$.message')",
    }[vendor]
    failed = (
        "SELECT e.workflow_id, s.node_id, s.block_type, s.finished_at, s.id, "
        "COUNT(*) OVER (PARTITION BY e.workflow_id, s.node_id) AS failures, "
        "ROW_NUMBER() OVER (PARTITION BY e.workflow_id, s.node_id ORDER BY s.id DESC) AS rn "
        "FROM workflows_executionstep s JOIN workflows_execution e ON e.id = s.execution_id "
        f"WHERE {RUNS_IN_WINDOW} AND s.status = 'failed'"
    )
    top = (
        f"SELECT f.*, w.name FROM ({failed}) f JOIN workflows_workflow w "
        "ON w.id = f.workflow_id WHERE f.rn = 1 "
        f"ORDER BY f.failures DESC, w.name, f.node_id LIMIT {LIMIT_NODES}"
    )
    return (
        "SELECT t.workflow_id, t.name, t.node_id, t.block_type, t.failures, t.finished_at, "
        f"{message} FROM ({top}) t JOIN workflows_executionstep m ON m.id = t.id "
        "ORDER BY t.failures DESC, t.name, t.node_id"
    )


PER_WORKFLOW = {vendor: _per_workflow(vendor) for vendor in ("postgresql", "sqlite")}
PER_BLOCK = {vendor: _per_block(vendor) for vendor in ("postgresql", "sqlite")}
FAILING_NODES = {vendor: _failing_nodes(vendor) for vendor in ("postgresql", "sqlite")}
