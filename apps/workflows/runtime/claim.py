"""Claiming and finishing executions: one statement each.

`execution_claim` takes the oldest queued execution (or a given one) whose workspace runs
fewer than `WORKSPACE_MAX_RUNNING` executions, marks it running under a fresh lease and
returns the row, all in one `UPDATE ... RETURNING`. Concurrent workers skip rows another
claim holds (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has one writer at a time). With a
cap, claims on PostgreSQL also take one transaction-scoped advisory lock first, so that each
claim's statement sees every claim before it and the cap is exact (the lock is held for one
short statement).

`execution_finish` and `execution_park` write the outcome with one `UPDATE` guarded by the
lease owner: a worker that lost its lease (the sweep handed the run to another) writes nothing.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.workflows.models import Execution, Workflow, WorkflowVersion

logger = logging.getLogger(__name__)

S = Execution.Status
# Any constant works: it names the one advisory lock that serialises capped claims.
_CLAIM_LOCK = 0x666C6F77


@dataclass
class Claimed:
    execution: Execution
    owner: str
    first_run: bool
    workflow_name: str
    version_number: int | None


def relaxed_session() -> None:
    """Worker-side writes commit without waiting for the WAL flush (PostgreSQL).

    A commit is visible to every other process at once; only a crash of the database server
    itself could lose its last few hundred milliseconds, and then an execution resumes from
    the checkpoints that survived (steps run again under the same idempotency key). Waiting
    for the flush costs a disk sync per statement. Accepting work (API, webhooks) never uses
    this: accepted runs are durable. Set once per connection of a worker process.
    """
    if connection.vendor != "postgresql":
        return
    connection.ensure_connection()
    # Marked by the session object itself: a reconnect opens a session without the setting.
    if getattr(connection, "flowplane_relaxed", None) is connection.connection:
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    connection.flowplane_relaxed = connection.connection  # type: ignore[attr-defined]


def _claim_sql(*, by_id: bool, capped: bool) -> str:
    qn = connection.ops.quote_name
    table = qn(Execution._meta.db_table)
    workflows = qn(Workflow._meta.db_table)
    versions = qn(WorkflowVersion._meta.db_table)
    pick = "c.id = %(id)s AND c.status = %(queued)s" if by_id else "c.status = %(queued)s"
    cap = (f"AND (SELECT count(*) FROM {table} r WHERE r.workspace_id = c.workspace_id "  # noqa: S608 (model identifiers)
           "AND r.status = %(running)s AND r.lease_expires_at > %(now)s) < %(cap)s"
           ) if capped else ""
    lock = "FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    # Only model identifiers are formatted in; every value is a parameter.
    return f"""
        UPDATE {table} SET status = %(running)s, lease_owner = %(owner)s,
               lease_expires_at = %(lease)s, started_at = COALESCE(started_at, %(now)s)
        WHERE id = (SELECT c.id FROM {table} c WHERE {pick} {cap}
                    ORDER BY c.created_at LIMIT 1 {lock})
        RETURNING *,
          (SELECT w.name FROM {workflows} w WHERE w.id = workflow_id) AS workflow_name,
          (SELECT v.number FROM {versions} v WHERE v.id = version_id) AS version_number
    """  # noqa: S608


def execution_claim(*, owner: str, execution_id: Any = None) -> Claimed | None:
    """Take the next queued execution (or `execution_id` if it is queued) for this worker."""
    now = timezone.now()
    cap = settings.WORKSPACE_MAX_RUNNING
    ops = connection.ops
    params = {
        "running": S.RUNNING, "queued": S.QUEUED, "owner": owner, "cap": cap,
        "now": ops.adapt_datetimefield_value(now),
        "lease": ops.adapt_datetimefield_value(
            now + timedelta(seconds=settings.EXECUTION_LEASE_SECONDS)),
        "id": None if execution_id is None else Execution._meta.pk.get_db_prep_value(
            execution_id, connection),
    }
    sql = _claim_sql(by_id=execution_id is not None, capped=cap > 0)
    serialise = cap > 0 and connection.vendor == "postgresql"
    with transaction.atomic() if serialise else contextlib.nullcontext():
        if serialise:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CLAIM_LOCK])
        rows = list(Execution.objects.raw(sql, params))
    if not rows:
        return None
    execution = rows[0]
    return Claimed(execution=execution, owner=owner, first_run=execution.started_at == now,
                   workflow_name=execution.workflow_name,  # type: ignore[attr-defined]
                   version_number=execution.version_number)  # type: ignore[attr-defined]


def execution_finish(*, claimed: Claimed, status: str, output: Any = None,
                     error: dict[str, Any] | None = None) -> bool:
    """Record the end of a run this worker holds; False if its lease was lost meanwhile."""
    now = timezone.now()
    execution = claimed.execution
    done = Execution.objects.filter(pk=execution.pk, lease_owner=claimed.owner).update(
        status=status, output=output, error=error, finished_at=now, wake_at=None,
        lease_owner="", lease_expires_at=None)
    if not done:
        logger.warning("execution.lease_lost", extra={"execution_id": str(execution.pk)})
        return False
    execution.status, execution.output, execution.error = status, output, error
    execution.finished_at = now
    _log_finished(execution, claimed.workflow_name, now)
    return True


def execution_park(*, claimed: Claimed, wake_at: datetime | None) -> bool:
    """Park a run this worker holds until `wake_at` (or a resume); False if its lease was lost."""
    return bool(Execution.objects.filter(
        pk=claimed.execution.pk, lease_owner=claimed.owner).update(
        status=S.WAITING, wake_at=wake_at, lease_owner="", lease_expires_at=None))


def _log_finished(execution: Execution, workflow_name: str, now: datetime) -> None:
    started = execution.started_at or now
    logger.info("execution.finished", extra={
        "execution_id": str(execution.pk), "workflow": workflow_name,
        "status": execution.status, "mode": execution.mode,
        "duration_ms": int((now - started).total_seconds() * 1000)})
