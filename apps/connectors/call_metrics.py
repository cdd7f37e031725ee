"""Per-workspace connector call metrics: one upsert per outbound call into ConnectorCallBucket.

Why rows and not execution steps: calls happen outside runs too (credential connection tests),
a step may make several calls (retries, a routing agent's tool calls), and a step's record
knows nothing of latency per call or 429s. A minute row per (workspace, connector) sums over
any range in one indexed query, and its fixed histogram gives the p95.

Layers: the outbound client (plain Python) reports every call to the observer that
``apps/connectors/clients.py`` gives it, ``record_call`` here. Which workspace a call is for is
known only above (the run, the credential test), so those callers wrap their calls in
``calls_for(workspace_id=..., connector=...)``, a context variable that the engine's branch
threads inherit (they run in copies of the caller's context). A remote MCP server's calls are
recorded under their target's key, ``mcp:<host>:<port>``. A call without a workspace, or to no
connector (a plain URL), is not recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from apps.connectors.models import LATENCY_BOUNDS_MS, LATENCY_FIELDS, ConnectorCallBucket
from apps.connectors.outbound import CallOutcome

logger = logging.getLogger(__name__)

CONNECTOR_PREFIX = "connector:"
MCP_PREFIX = "mcp:"


@dataclass(frozen=True)
class _Attribution:
    workspace_id: str
    connector: str | None


_attribution: ContextVar[_Attribution | None] = ContextVar(
    "flowplane_connector_calls", default=None
)


@contextmanager
def calls_for(*, workspace_id: Any, connector: str | None = None) -> Iterator[None]:
    """Record the block's connector calls for ``workspace_id``; ``connector`` names the
    connector of calls whose target does not (a credential test of a plain URL)."""
    token = _attribution.set(_Attribution(str(workspace_id), connector))
    try:
        yield
    finally:
        _attribution.reset(token)


def latency_field(milliseconds: float) -> str:
    """The histogram column a call of this latency counts in."""
    for bound, field in zip(LATENCY_BOUNDS_MS, LATENCY_FIELDS, strict=False):
        if milliseconds <= bound:
            return field
    return LATENCY_FIELDS[-1]


def record_call(outcome: CallOutcome) -> None:
    """The client's observer: count the call for the bound workspace and its connector."""
    attribution = _attribution.get()
    if attribution is None:
        return
    key = outcome.target_key or ""
    slug = key.removeprefix(CONNECTOR_PREFIX) if key.startswith(CONNECTOR_PREFIX) else None
    if key.startswith(MCP_PREFIX):
        slug = key
    slug = slug or attribution.connector
    if not slug:
        return
    try:
        # A savepoint inside a caller's transaction: a failed write must not break it.
        with transaction.atomic():
            bucket_add(workspace_id=attribution.workspace_id, connector=slug, outcome=outcome)
    except DatabaseError:
        logger.warning("connector_calls.record_failed", extra={"connector": slug}, exc_info=True)


_COUNTERS = ("calls", "failures", "rate_limited", "latency_ms_total", *LATENCY_FIELDS)


def _upsert_sql() -> str:
    table = connection.ops.quote_name(ConnectorCallBucket._meta.db_table)
    q = connection.ops.quote_name
    columns = (
        "workspace_id",
        "connector",
        "bucket",
        *_COUNTERS,
        "latency_ms_max",
        "last_success_at",
        "last_failure_at",
        "last_error",
    )
    sets = [f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in _COUNTERS]
    sets += [
        f"{q('latency_ms_max')} = CASE WHEN excluded.{q('latency_ms_max')} > "
        f"{table}.{q('latency_ms_max')} THEN excluded.{q('latency_ms_max')} "
        f"ELSE {table}.{q('latency_ms_max')} END",
        f"{q('last_success_at')} = COALESCE(excluded.{q('last_success_at')}, "
        f"{table}.{q('last_success_at')})",
        f"{q('last_failure_at')} = COALESCE(excluded.{q('last_failure_at')}, "
        f"{table}.{q('last_failure_at')})",
        f"{q('last_error')} = CASE WHEN excluded.{q('last_failure_at')} IS NULL "
        f"THEN {table}.{q('last_error')} ELSE excluded.{q('last_error')} END",
    ]
    # Names come from the model and quote_name, values are parameters: nothing from a caller.
    return (
        f"INSERT INTO {table} ({', '.join(q(c) for c in columns)}) "  # noqa: S608 (model identifiers)
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({q('workspace_id')}, {q('connector')}, {q('bucket')}) "
        f"DO UPDATE SET {', '.join(sets)}"
    )


def bucket_add(
    *, workspace_id: Any, connector: str, outcome: CallOutcome, at: datetime | None = None
) -> None:
    """Add one call to its minute's row: one ``INSERT ... ON CONFLICT DO UPDATE`` that adds
    to the counters in the database (PostgreSQL and SQLite alike), so concurrent workers
    never lose a call. Raw SQL because the ORM's upsert can only overwrite a column."""
    now = at or timezone.now()
    milliseconds = max(round(outcome.seconds * 1000), 0)
    failed = not outcome.ok
    counters = {
        "calls": 1,
        "failures": int(failed and not outcome.rate_limited),
        "rate_limited": int(outcome.rate_limited),
        "latency_ms_total": milliseconds,
        **{field: 0 for field in LATENCY_FIELDS},
    }
    counters[latency_field(milliseconds)] = 1
    adapt = connection.ops.adapt_datetimefield_value
    values = [
        ConnectorCallBucket._meta.get_field("workspace").get_db_prep_value(
            workspace_id, connection
        ),
        connector[:80],
        adapt(now.replace(second=0, microsecond=0)),
        *(counters[c] for c in _COUNTERS),
        milliseconds,
        None if failed else adapt(now),
        adapt(now) if failed else None,
        (outcome.error or "failed")[:300] if failed else "",
    ]
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(), values)
