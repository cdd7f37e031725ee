"""The trigger tick as a beat row (django-celery-beat's database scheduler), every second.

One row for the whole platform: per-trigger beat rows are avoided on purpose (docs/ARCHITECTURE.md,
Triggers). Operators can tune the interval in the admin. Expiring messages keep a backlog of
ticks from piling up while no worker consumes them.
"""

from django.db import migrations

TASK_NAME = "triggers.tick"


def add_tick(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=1, period="seconds")
    PeriodicTask.objects.update_or_create(
        name="Trigger tick (schedules and polling)",
        defaults={"task": TASK_NAME, "interval": every, "queue": "triggers",
                  "expire_seconds": 5, "enabled": True,
                  "description": "Fires due cron schedules and sends due polls."})


def remove_tick(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(task=TASK_NAME).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("triggers", "0003_trigger_runtime_fields"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add_tick, remove_tick)]
