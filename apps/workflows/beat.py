"""The execution housekeeping rows among the platform's periodic tasks (see apps.core.beat)."""

from typing import Any

from django.conf import settings

from apps.core.beat import periodic_task_ensure


def ensure_platform_tasks(**kwargs: Any) -> None:
    """post_migrate hook: the execution sweep wakes parked runs and rescues dead workers';
    retention deletes finished runs older than their workspace keeps them (and connector call
    metrics past their window); the monitoring rollup adds finished runs to the Monitoring
    page's pre-aggregates."""
    periodic_task_ensure(
        name="Execution sweep",
        task="housekeeping.sweep_executions",
        every_seconds=settings.EXECUTION_SWEEP_INTERVAL_SECONDS,
        queue="housekeeping",
    )
    periodic_task_ensure(
        name="Execution retention",
        task="housekeeping.expire_executions",
        every_seconds=settings.EXECUTION_RETENTION_INTERVAL_SECONDS,
        queue="housekeeping",
    )
    periodic_task_ensure(
        name="Monitoring rollup",
        task="housekeeping.rollup_monitoring",
        every_seconds=settings.MONITORING_ROLLUP_INTERVAL_SECONDS,
        queue="housekeeping",
    )
