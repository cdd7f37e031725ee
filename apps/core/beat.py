"""The platform's fixed set of periodic tasks, kept as django-celery-beat rows so operators
see and tune them in the admin. Rows are created when missing and never overwritten; each
app ensures its own rows from a post_migrate hook."""


def periodic_task_ensure(*, name: str, task: str, every_seconds: float, queue: str) -> None:
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    if PeriodicTask.objects.filter(name=name).exists():
        return  # an operator may have tuned it
    interval, _ = IntervalSchedule.objects.get_or_create(
        every=max(1, round(every_seconds)), period=IntervalSchedule.SECONDS
    )
    PeriodicTask.objects.create(name=name, task=task, interval=interval, queue=queue)
