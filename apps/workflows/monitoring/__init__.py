"""Aggregates behind the Monitoring page: runs over time, durations, failures and backlog.

Everything is computed by the database (sql.py), scoped to one workspace; connector call
metrics are the Status page's, not this package's.
"""

from apps.workflows.monitoring.aggregates import (
    backlog,
    block_durations,
    failing_nodes,
    runs_timeline,
    workflow_durations,
)
from apps.workflows.monitoring.window import MAX_RANGE, Window

__all__ = [
    "MAX_RANGE",
    "Window",
    "backlog",
    "block_durations",
    "failing_nodes",
    "runs_timeline",
    "workflow_durations",
]
