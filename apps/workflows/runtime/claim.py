"""Claiming and finishing executions: one round trip each.

`execution_claim` takes the queued execution of highest priority, oldest first (or a given
one), whose workspace runs
fewer than `WORKSPACE_MAX_RUNNING` executions, marks it running under a fresh lease and
returns the row, all in one `UPDATE ... RETURNING`. Concurrent workers skip rows another
claim holds (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has one writer at a time). With a
cap, claims on PostgreSQL take a transaction-scoped advisory lock in the same round trip, so
each claim's UPDATE sees every claim before it and the cap is exact.

`execution_finish` and `execution_park` write the last step checkpoints and the outcome
together, the outcome guarded by the lease owner: a worker that lost its lease (the sweep
handed the run to another) does not overwrite what the new owner does.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from apps.observability import metrics
from apps.workflows.models import Execution, ExecutionStep, Workflow, WorkflowVersion
from apps.workflows.runtime.statements import Statement, from_row, run_together, upsert

logger = logging.getLogger(__name__)

S = Execution.Status
# Any constant works: it names the one advisory lock that serialises capped claims.
_CLAIM_LOCK = 0x666C6F77
STEP_KEY = ("execution", "node_id", "item_key")


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
    connection.flowplane_relaxed = connection.connection


@lru_cache(maxsize=4)
def _claim_sql(*, by_id: bool, capped: bool) -> tuple[str, list[str]]:
    """The claim's UPDATE and the names of its parameters, in order."""
    qn = connection.ops.quote_name
    table = qn(Execution._meta.db_table)
    workflows = qn(Workflow._meta.db_table)
    versions = qn(WorkflowVersion._meta.db_table)
    pick = "c.id = %(id)s AND c.status = %(queued)s" if by_id else "c.status = %(queued)s"
    cap = (
        (
            f"AND (SELECT count(*) FROM {table} r WHERE r.workspace_id = c.workspace_id "  # noqa: S608 (model identifiers)
            "AND r.status = %(running)s AND r.lease_expires_at > %(now)s) < %(cap)s"
        )
        if capped
        else ""
    )
    lock = "FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    # Only model identifiers are formatted in; every value is a parameter.
    sql = f"""
        UPDATE {table} SET status = %(running)s, lease_owner = %(owner)s,
               lease_expires_at = %(lease)s, started_at = COALESCE(started_at, %(now)s)
        WHERE id = (SELECT c.id FROM {table} c WHERE {pick} {cap}
                    ORDER BY c.priority DESC, c.created_at LIMIT 1 {lock})
        RETURNING *,
          (SELECT w.name FROM {workflows} w WHERE w.id = workflow_id) AS workflow_name,
          (SELECT v.number FROM {versions} v WHERE v.id = version_id) AS version_number
    """  # noqa: S608
    # Positional parameters, so that the statement can be sent together with others.
    named = re.findall(r"%\((\w+)\)s", sql)
    return re.sub(r"%\(\w+\)s", "%s", sql), named


def execution_claim(*, owner: str, execution_id: Any = None) -> Claimed | None:
    """Take the next queued execution (or `execution_id` if it is queued) for this worker."""
    now = timezone.now()
    cap = settings.WORKSPACE_MAX_RUNNING
    ops = connection.ops
    params = {
        "running": S.RUNNING,
        "queued": S.QUEUED,
        "owner": owner,
        "cap": cap,
        "now": ops.adapt_datetimefield_value(now),
        "lease": ops.adapt_datetimefield_value(
            now + timedelta(seconds=settings.EXECUTION_LEASE_SECONDS)
        ),
        "id": None
        if execution_id is None
        else Execution._meta.pk.get_db_prep_value(execution_id, connection),
    }
    statements: list[Statement] = []
    if cap > 0 and connection.vendor == "postgresql":
        # Held until this one transaction ends, so each claim's UPDATE sees every claim
        # before it (an exact cap) at the cost of no extra round trip.
        statements.append(("SELECT pg_advisory_xact_lock(%s)", [_CLAIM_LOCK]))
    sql, named = _claim_sql(by_id=execution_id is not None, capped=cap > 0)
    statements.append((sql, [params[name] for name in named]))
    columns, rows = run_together(statements)
    if not rows:
        return None
    execution = from_row(Execution, columns, rows[0])
    return Claimed(
        execution=execution,
        owner=owner,
        first_run=execution.started_at == now,
        workflow_name=execution.workflow_name,
        version_number=execution.version_number,
    )


def execution_finish(
    *,
    claimed: Claimed,
    status: str,
    output: Any = None,
    error: dict[str, Any] | None = None,
    steps: Sequence[ExecutionStep] = (),
) -> bool:
    """Write the last step checkpoints and the end of a run this worker holds, together;
    False if its lease was lost meanwhile (the outcome is then not written)."""
    now = timezone.now()
    execution = claimed.execution
    done = _guarded_update(
        claimed,
        steps,
        status=status,
        output=output,
        error=error,
        finished_at=now,
        wake_at=None,
        lease_owner="",
        lease_expires_at=None,
    )
    if not done:
        logger.warning("execution.lease_lost", extra={"execution_id": str(execution.pk)})
        return False
    execution.status, execution.output, execution.error = status, output, error
    execution.finished_at = now
    _log_finished(execution, claimed.workflow_name, now)
    return True


def execution_park(
    *, claimed: Claimed, wake_at: datetime | None, steps: Sequence[ExecutionStep] = ()
) -> bool:
    """Park a run this worker holds until `wake_at` (or a resume); False if its lease was lost."""
    return _guarded_update(
        claimed, steps, status=S.WAITING, wake_at=wake_at, lease_owner="", lease_expires_at=None
    )


def _guarded_update(claimed: Claimed, steps: Sequence[ExecutionStep], **values: Any) -> bool:
    sql = _guarded_update_sql(tuple(values))
    meta = Execution._meta
    params = [
        meta.get_field(name).get_db_prep_save(value, connection) for name, value in values.items()
    ]
    params += [meta.pk.get_db_prep_value(claimed.execution.pk, connection), claimed.owner]
    statements = [upsert(steps, unique=STEP_KEY)] if steps else []
    _, rows = run_together([*statements, (sql, params)])
    return bool(rows)


@lru_cache(maxsize=8)
def _guarded_update_sql(names: tuple[str, ...]) -> str:
    qn = connection.ops.quote_name
    meta = Execution._meta
    assignments = ", ".join(f"{qn(meta.get_field(name).column)} = %s" for name in names)
    return (
        f"UPDATE {qn(meta.db_table)} SET {assignments} "  # noqa: S608 (model identifiers)
        f"WHERE {qn(meta.pk.column)} = %s AND {qn(meta.get_field('lease_owner').column)} = %s "
        f"RETURNING {qn(meta.pk.column)}"
    )


def _log_finished(execution: Execution, workflow_name: str, now: datetime) -> None:
    started = execution.started_at or now
    logger.info(
        "execution.finished",
        extra={
            "execution_id": str(execution.pk),
            "workflow": workflow_name,
            "status": execution.status,
            "mode": execution.mode,
            "duration_ms": int((now - started).total_seconds() * 1000),
        },
    )
    metrics.workflow_finished(
        mode=execution.mode, status=execution.status, seconds=(now - started).total_seconds()
    )
