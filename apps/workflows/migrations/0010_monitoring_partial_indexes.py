"""The two run indexes of 0008, partial both ways: finished runs by finish time (the rollup
tick's range), and unfinished runs by workspace and creation covering ``wake_at`` too (the
Monitoring page's backlog). On 1M runs PostgreSQL read the ~20 k unfinished ones through the
first index's NULL entries and the heap (12 k pages, ~0.5 s) instead of the second index
alone. The new ones are built before the old ones go, CONCURRENTLY on PostgreSQL, as in 0008.
"""

from django.db import migrations, models

OLD = [
    models.Index(fields=["finished_at"], name="execution_finished"),
    models.Index(
        fields=["workspace", "created_at"],
        include=["id", "workflow", "status", "started_at"],
        condition=models.Q(finished_at__isnull=True),
        name="execution_ws_unfinished",
    ),
]
NEW = [
    models.Index(
        fields=["finished_at"],
        condition=models.Q(finished_at__isnull=False),
        name="execution_finished_set",
    ),
    models.Index(
        fields=["workspace", "created_at"],
        include=["id", "workflow", "status", "started_at", "wake_at"],
        condition=models.Q(finished_at__isnull=True),
        name="execution_ws_pending",
    ),
]


def _swap(built, dropped):
    def run(apps, schema_editor):
        postgres = schema_editor.connection.vendor == "postgresql"
        concurrently = {"concurrently": True} if postgres else {}
        model = apps.get_model("workflows", "execution")
        for index in built:
            schema_editor.add_index(model, index, **concurrently)
        for index in dropped:
            schema_editor.remove_index(model, index, **concurrently)

    return run


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("workflows", "0009_monitoring_daily_rollups")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(_swap(NEW, OLD), _swap(OLD, NEW))],
            state_operations=[
                *(migrations.RemoveIndex(model_name="execution", name=i.name) for i in OLD),
                *(migrations.AddIndex(model_name="execution", index=i) for i in NEW),
            ],
        ),
    ]
