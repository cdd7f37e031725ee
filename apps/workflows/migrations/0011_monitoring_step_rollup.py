"""Steps rolled up when they finish (apps/workflows/monitoring/rollup.py): ``RolledStep``
notes the steps already in the rollups while their run goes on, and an index on the steps'
``finished_at`` finds those finished since the watermark. The index is built CONCURRENTLY on
PostgreSQL (the step table is the largest; a plain build would block step writes), as in 0010.
"""

from django.db import migrations, models

INDEX = models.Index(fields=["finished_at"], name="execution_step_finished")


def _index(add):
    def run(apps, schema_editor):
        concurrently = (
            {"concurrently": True} if schema_editor.connection.vendor == "postgresql" else {}
        )
        model = apps.get_model("workflows", "executionstep")
        if add:
            schema_editor.add_index(model, INDEX, **concurrently)
        else:
            schema_editor.remove_index(model, INDEX, **concurrently)

    return run


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("workflows", "0010_monitoring_partial_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="RolledStep",
            fields=[
                ("step_id", models.BigIntegerField(primary_key=True, serialize=False)),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(_index(True), _index(False))],
            state_operations=[migrations.AddIndex(model_name="executionstep", index=INDEX)],
        ),
    ]
