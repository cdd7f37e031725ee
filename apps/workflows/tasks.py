"""Celery entrypoints for executions. Thin: parse the id, call one service.

Execution messages are hints, not work items (apps/workflows/runtime): they are acknowledged
on receipt, because the work they point at is claimed from the database and an execution
whose worker dies is handed on by its lease, not by redelivering the message.
"""

from uuid import UUID

from celery import shared_task


@shared_task(name="workflows.drain", acks_late=False, ignore_result=True)
def drain_executions_task() -> None:
    """Run queued executions until none is left."""
    from apps.workflows.runtime.run import execution_drain

    execution_drain()


@shared_task(name="workflows.wake", acks_late=False, ignore_result=True)
def wake_execution_task(execution_id: str) -> None:
    """A short wait is over: queue the execution and run what is queued."""
    from apps.workflows.runtime.run import execution_drain, execution_wake

    if execution_wake(execution_id=UUID(execution_id)):
        execution_drain()


@shared_task(
    name="housekeeping.sweep_executions", ignore_result=True, soft_time_limit=60, time_limit=90
)
def sweep_executions_task() -> None:
    from apps.workflows.runtime.sweep import execution_sweep

    execution_sweep()


@shared_task(
    name="housekeeping.expire_executions", ignore_result=True, soft_time_limit=240, time_limit=300
)
def expire_executions_task() -> None:
    """Delete finished executions past their workspace's retention, and connector call
    metrics past theirs (a bounded amount a run)."""
    from apps.connectors.call_metrics_retention import call_buckets_prune
    from apps.workflows.retention import executions_expire

    executions_expire()
    call_buckets_prune()


@shared_task(
    name="housekeeping.rollup_monitoring", ignore_result=True, soft_time_limit=240, time_limit=300
)
def rollup_monitoring_task() -> None:
    """Add the runs finished since the last tick to the Monitoring page's hourly rollups."""
    from apps.workflows.monitoring.rollup import rollup_tick

    rollup_tick()
