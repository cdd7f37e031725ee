"""The daily rollups: each day row the sum of that day's hourly rows (rollup_models.py).

Whatever changes hourly rows (a rollup tick adding runs, retention taking them away) calls
``days_refresh`` in the same transaction with the days it touched: their rows are deleted and
summed again from the hours, so a day row never drifts from its hours, rows that fell to
zero go, and the refresh costs one day's hourly rows (~24 per key).
"""

# ruff: noqa: S608 (the texts join this module's own constants; values are parameters)
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.db.models import QuerySet
from django.db.models.functions import TruncDay

from apps.workflows.histogram import COLUMNS
from apps.workflows.models import Execution
from apps.workspaces.models import Workspace

DAY = timedelta(days=1)
_HISTOGRAM = ", ".join(COLUMNS)
# (table, its key columns but the period, the columns summed) of the hourly level; the daily
# table is its name + "day".
_LEVELS = (
    ("workflows_runrollup", "workspace_id, workflow_id, status", f"runs, {_HISTOGRAM}"),
    ("workflows_steprollup", "workspace_id, block_type", f"steps, failed, {_HISTOGRAM}"),
    ("workflows_nodefailurerollup", "workspace_id, workflow_id, node_id", "failures"),
)


def _refresh(table: str, key: str, summed: str) -> tuple[str, str]:
    sums = ", ".join(f"SUM({c})" for c in summed.split(", "))
    extra = ", last_step_id" if table == "workflows_nodefailurerollup" else ""
    newest = ", MAX(last_step_id)" if extra else ""
    return (
        f"DELETE FROM {table}day WHERE workspace_id = %s AND day = %s",
        f"INSERT INTO {table}day ({key}, day, {summed}{extra}) "
        f"SELECT {key}, %s, {sums}{newest} FROM {table} "
        f"WHERE workspace_id = %s AND hour >= %s AND hour < %s GROUP BY {key}",
    )


REFRESH = [_refresh(*level) for level in _LEVELS]


def days_refresh(cursor: CursorWrapper, days: Iterable[tuple[Any, datetime]]) -> None:
    """Sum the hourly rows of each (workspace id, UTC midnight) into its day rows again."""
    adapt = connection.ops.adapt_datetimefield_value
    prep = Workspace._meta.pk.get_db_prep_value
    for workspace_id, day in sorted(set(days)):
        ws, start, end = prep(workspace_id, connection), adapt(day), adapt(day + DAY)
        for delete, insert in REFRESH:
            cursor.execute(delete, [ws, start])
            cursor.execute(insert, [start, ws, start, end])


def days_touched(runs: QuerySet[Execution]) -> set[tuple[Any, datetime]]:
    """(workspace id, day created) of ``runs``: the day rows their hours' changes touch."""
    day = TruncDay("created_at", tzinfo=UTC)
    return set(runs.order_by().values_list("workspace_id", day).distinct())
