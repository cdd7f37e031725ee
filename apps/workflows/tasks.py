"""Celery entrypoints for executions. Thin: parse the id, call one service."""

from uuid import UUID

from celery import shared_task


@shared_task(name="workflows.execute", bind=True, acks_late=True, reject_on_worker_lost=True,
             ignore_result=True)
def execute_workflow_task(self, execution_id: str) -> None:  # type: ignore[no-untyped-def]
    from apps.workflows.execution import execution_run

    execution_run(execution_id=UUID(execution_id))


@shared_task(name="housekeeping.sweep_executions", ignore_result=True, soft_time_limit=60,
             time_limit=90)
def sweep_executions_task() -> None:
    from apps.workflows.execution import execution_sweep

    execution_sweep()
