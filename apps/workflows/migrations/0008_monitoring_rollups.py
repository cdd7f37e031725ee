"""The Monitoring page's hourly rollups (apps/workflows/rollup_models.py) and two indexes on
runs: by finish time (the rollup task takes the runs finished since its watermark) and the
unfinished runs of a workspace by creation (read raw next to the rollups). The indexes are
built CONCURRENTLY on PostgreSQL, as in 0007."""

import django.db.models.deletion
from django.db import migrations, models

HISTOGRAM = [(f"b{i}", models.IntegerField(default=0)) for i in range(122)]
FINISHED = models.Index(fields=["finished_at"], name="execution_finished")
UNFINISHED = models.Index(
    fields=["workspace", "created_at"],
    include=["id", "workflow", "status", "started_at"],
    condition=models.Q(finished_at__isnull=True),
    name="execution_ws_unfinished",
)


def _ids():
    return (
        "id",
        models.BigAutoField(
            auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
        ),
    )


def _fk(to):
    return models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to=to)


def create(apps, schema_editor):
    concurrently = {"concurrently": True} if schema_editor.connection.vendor == "postgresql" else {}
    for index in (FINISHED, UNFINISHED):
        schema_editor.add_index(apps.get_model("workflows", "execution"), index, **concurrently)


def drop(apps, schema_editor):
    concurrently = {"concurrently": True} if schema_editor.connection.vendor == "postgresql" else {}
    for index in (FINISHED, UNFINISHED):
        schema_editor.remove_index(apps.get_model("workflows", "execution"), index, **concurrently)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("workflows", "0007_monitoring_indexes"),
        ("workspaces", "0004_workspace_budgets"),
    ]

    operations = [
        migrations.CreateModel(
            name="NodeFailureRollup",
            fields=[
                _ids(),
                ("node_id", models.CharField(max_length=100)),
                ("hour", models.DateTimeField()),
                ("failures", models.IntegerField()),
                ("last_step_id", models.BigIntegerField()),
                ("workflow", _fk("workflows.workflow")),
                ("workspace", _fk("workspaces.workspace")),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("workspace", "hour", "workflow", "node_id"), name="node_rollup_key"
                    )
                ]
            },
        ),
        migrations.CreateModel(
            name="RollupWatermark",
            fields=[_ids(), ("finished_before", models.DateTimeField())],
        ),
        migrations.CreateModel(
            name="RunRollup",
            fields=[
                _ids(),
                ("hour", models.DateTimeField()),
                ("status", models.CharField(max_length=10)),
                ("runs", models.IntegerField()),
                *HISTOGRAM,
                ("workflow", _fk("workflows.workflow")),
                ("workspace", _fk("workspaces.workspace")),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("workspace", "hour", "workflow", "status"), name="run_rollup_key"
                    )
                ]
            },
        ),
        migrations.CreateModel(
            name="StepRollup",
            fields=[
                _ids(),
                ("block_type", models.CharField(max_length=100)),
                ("hour", models.DateTimeField()),
                ("steps", models.IntegerField()),
                ("failed", models.IntegerField()),
                *HISTOGRAM,
                ("workspace", _fk("workspaces.workspace")),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("workspace", "hour", "block_type"), name="step_rollup_key"
                    )
                ]
            },
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(create, drop)],
            state_operations=[
                migrations.AddIndex(model_name="execution", index=FINISHED),
                migrations.AddIndex(model_name="execution", index=UNFINISHED),
            ],
        ),
    ]
