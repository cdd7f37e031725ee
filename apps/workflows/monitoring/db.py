"""What the monitoring reads share: the vendor, the window as parameters, one query in a
transaction, and the values as the drivers return them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from django.db import connection, transaction

from apps.workflows.models import Execution
from apps.workflows.monitoring.window import Window


def vendor() -> str:
    return "postgresql" if connection.vendor == "postgresql" else "sqlite"


def window_params(workspace_id: UUID, window: Window) -> list[Any]:
    """The ids and instants as the database compares them (SQLite: hex ids, naive UTC text)."""
    ops = connection.ops
    workspace = Execution._meta.get_field("workspace").get_db_prep_value(workspace_id, connection)
    return [
        workspace,
        ops.adapt_datetimefield_value(window.start),
        ops.adapt_datetimefield_value(window.end),
    ]


def rows(query: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # These plans cost enough to be JIT-compiled: 60-240 ms of compiling per query on
            # 1M runs (EXPLAIN ANALYZE, benchmarks/RESULTS.md), more than it saved.
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(query, params)
        return cursor.fetchall()


def instant(value: Any) -> datetime | None:
    """A timestamp as the driver returns it (SQLite: text) -> aware UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def ms(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


def as_uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))
