"""Monitoring reads for one workspace and time window: one aggregate query over the raw rows
(exact), or, when the rollups hold whole hours of the window, over those plus the rows not
rolled yet (hybrid.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import Count, Min

from apps.observability.sentry import scrub_text
from apps.workflows.models import Execution
from apps.workflows.monitoring import db, hybrid, sql
from apps.workflows.monitoring.window import Window

STATUSES = [choice.value for choice in Execution.Status]
MESSAGE_MAX = 300


def runs_timeline(*, workspace_id: UUID, window: Window) -> dict[str, Any]:
    """Runs created per bucket and status (empty buckets included), totals and success rate
    (succeeded among the runs that succeeded or failed; None when there are none)."""
    bucket = window.bucket
    part = hybrid.split(workspace_id, window)
    counts = hybrid.timeline_counts(part) if part else _timeline_counts(workspace_id, window)
    buckets = [
        {"start": start, **{s: counts.get(start, {}).get(s, 0) for s in STATUSES}}
        for start in window.bucket_starts()
    ]
    totals = {s: sum(b[s] for b in buckets) for s in STATUSES}
    ended = totals["succeeded"] + totals["failed"]
    return {
        "bucket": bucket,
        "start": window.start,
        "end": window.end,
        "buckets": buckets,
        "totals": {**totals, "total": sum(totals.values())},
        "success_rate": totals["succeeded"] / ended if ended else None,
    }


def _timeline_counts(workspace_id: UUID, window: Window) -> dict[datetime, dict[str, int]]:
    vendor, bucket = db.vendor(), window.bucket
    bucket_param = sql.SQLITE_BUCKET_FORMAT[bucket] if vendor == "sqlite" else bucket
    rows = db.rows(sql.TIMELINE[vendor], [bucket_param, *db.window_params(workspace_id, window)])
    counts: dict[datetime, dict[str, int]] = {}
    for start, status, runs in rows:
        counts.setdefault(db.instant(start), {})[status] = runs
    return counts


def workflow_durations(*, workspace_id: UUID, window: Window) -> list[dict[str, Any]]:
    """Per workflow: runs, succeeded, failed and p50/p95 duration (ms) of the succeeded or
    failed runs, slowest p95 first."""
    if part := hybrid.split(workspace_id, window):
        return hybrid.workflow_durations(part)
    query = sql.PER_WORKFLOW[db.vendor()]
    # SQLite's text reads the window twice (counts, then ranked durations), PostgreSQL's once.
    params = db.window_params(workspace_id, window) * query.count(sql.RUNS_IN_WINDOW)
    rows = db.rows(query, params)
    return [
        {
            "workflow": db.as_uuid(k),
            "workflow_name": name,
            "runs": runs,
            "succeeded": int(succeeded),
            "failed": int(failed),
            "success_rate": int(succeeded) / (succeeded + failed) if succeeded + failed else None,
            "p50_ms": db.ms(p50),
            "p95_ms": db.ms(p95),
        }
        for k, name, runs, succeeded, failed, p50, p95 in rows
    ]


def block_durations(*, workspace_id: UUID, window: Window) -> list[dict[str, Any]]:
    """Per block type: finished steps, failed ones and p50/p95 step duration (ms), slowest
    p95 first (steps of the runs created in the window)."""
    if part := hybrid.split(workspace_id, window):
        return hybrid.block_durations(part)
    params = db.window_params(workspace_id, window)
    rows = db.rows(sql.PER_BLOCK[db.vendor()], [*params, params[1]])
    return [
        {
            "block_type": k,
            "steps": n,
            "failed": int(failed),
            "p50_ms": db.ms(p50),
            "p95_ms": db.ms(p95),
        }
        for k, n, failed, p50, p95 in rows
    ]


def failing_nodes(*, workspace_id: UUID, window: Window) -> list[dict[str, Any]]:
    """The nodes that failed most, with their last error message. Stored errors are already
    redacted of the run's secrets; secret-looking values (tokens, passwords in URLs) are
    scrubbed once more here, and the message is cut short."""
    if part := hybrid.split(workspace_id, window):
        rows = hybrid.failing_nodes(part)
    else:
        rows = db.rows(sql.FAILING_NODES[db.vendor()], db.window_params(workspace_id, window))
    return [
        {
            "workflow": db.as_uuid(workflow),
            "workflow_name": name,
            "node_id": node_id,
            "block_type": block_type,
            "failures": failures,
            "last_failed_at": db.instant(last_at),
            "last_error": scrub_text(str(message))[:MESSAGE_MAX] if message else "",
        }
        for workflow, name, node_id, block_type, failures, last_at, message in rows
    ]


def backlog(*, workspace_id: UUID) -> dict[str, Any]:
    """What waits right now: queued runs (not yet claimed by a worker), parked runs (waiting
    for a delay, an approval or a child run) and running ones, overall and per workflow."""
    pending = [Execution.Status.QUEUED, Execution.Status.WAITING, Execution.Status.RUNNING]
    # A pending run has no finish: the condition lets the partial index of unfinished runs
    # answer alone (models.py).
    rows = (
        Execution.objects.filter(
            workspace_id=workspace_id, status__in=pending, finished_at__isnull=True
        )
        .values("workflow_id", "workflow__name", "status")
        .annotate(runs=Count("id"), oldest=Min("created_at"), next_wake=Min("wake_at"))
    )
    totals = {status.value: 0 for status in pending}
    oldest_queued: datetime | None = None
    next_wake: datetime | None = None
    per_workflow: dict[UUID, dict[str, Any]] = {}
    for row in rows:
        totals[row["status"]] += row["runs"]
        if row["status"] == Execution.Status.QUEUED:
            oldest_queued = min(filter(None, [oldest_queued, row["oldest"]]), default=None)
        if row["next_wake"] is not None:
            next_wake = min(filter(None, [next_wake, row["next_wake"]]), default=None)
        entry = per_workflow.setdefault(
            row["workflow_id"],
            {"workflow": row["workflow_id"], "workflow_name": row["workflow__name"]}
            | {status.value: 0 for status in pending},
        )
        entry[row["status"]] = row["runs"]
    return {
        **totals,
        "oldest_queued_at": oldest_queued,
        "next_wake_at": next_wake,
        "workflows": sorted(
            per_workflow.values(),
            key=lambda w: (-(w["queued"] + w["waiting"]), w["workflow_name"]),
        )[: sql.LIMIT_NODES],
    }
