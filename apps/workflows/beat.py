"""The platform's fixed set of periodic tasks, kept as django-celery-beat rows so operators
see and tune them in the admin. Rows are created when missing and never overwritten."""

from typing import Any

from django.conf import settings


def periodic_task_ensure(*, name: str, task: str, every_seconds: float, queue: str) -> None:
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    if PeriodicTask.objects.filter(name=name).exists():
        return  # an operator may have tuned it
    interval, _ = IntervalSchedule.objects.get_or_create(
        every=max(1, round(every_seconds)), period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(name=name, task=task, interval=interval, queue=queue)


def ensure_platform_tasks(**kwargs: Any) -> None:
    """post_migrate hook: the execution sweep wakes parked runs and rescues dead workers';
    retention deletes finished runs older than their workspace keeps them."""
    periodic_task_ensure(name="Execution sweep", task="housekeeping.sweep_executions",
                         every_seconds=settings.EXECUTION_SWEEP_INTERVAL_SECONDS,
                         queue="housekeeping")
    periodic_task_ensure(name="Execution retention", task="housekeeping.expire_executions",
                         every_seconds=settings.EXECUTION_RETENTION_INTERVAL_SECONDS,
                         queue="housekeeping")
