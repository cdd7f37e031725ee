"""The Monitoring page's daily rollups (apps/workflows/rollup_models.py): each row the sum of
its day's hourly rows, filled from them for every day that has any."""

import django.db.models.deletion
from django.db import migrations, models

HISTOGRAM = [(f"b{i}", models.IntegerField(default=0)) for i in range(122)]
SUMS = ", ".join(f"SUM(b{i})" for i in range(122))
COLUMNS = ", ".join(f"b{i}" for i in range(122))


def _ids():
    return (
        "id",
        models.BigAutoField(
            auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
        ),
    )


def _fk(to):
    return models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to=to)


def fill(apps, schema_editor):
    day = {
        "postgresql": "date_trunc('day', hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'",
        "sqlite": "strftime('%Y-%m-%d 00:00:00', hour)",
    }["postgresql" if schema_editor.connection.vendor == "postgresql" else "sqlite"]
    statements = [
        f"INSERT INTO workflows_runrollupday (workspace_id, workflow_id, day, status, runs, "
        f"{COLUMNS}) SELECT workspace_id, workflow_id, {day}, status, SUM(runs), {SUMS} "
        "FROM workflows_runrollup GROUP BY 1, 2, 3, 4",
        f"INSERT INTO workflows_steprollupday (workspace_id, block_type, day, steps, failed, "
        f"{COLUMNS}) SELECT workspace_id, block_type, {day}, SUM(steps), SUM(failed), {SUMS} "
        "FROM workflows_steprollup GROUP BY 1, 2, 3",
        "INSERT INTO workflows_nodefailurerollupday (workspace_id, workflow_id, node_id, day, "
        f"failures, last_step_id) SELECT workspace_id, workflow_id, node_id, {day}, "
        "SUM(failures), MAX(last_step_id) FROM workflows_nodefailurerollup GROUP BY 1, 2, 3, 4",
    ]
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0008_monitoring_rollups"),
        ("workspaces", "0004_workspace_budgets"),
    ]

    operations = [
        migrations.CreateModel(
            name="NodeFailureRollupDay",
            fields=[
                _ids(),
                ("node_id", models.CharField(max_length=100)),
                ("failures", models.IntegerField()),
                ("last_step_id", models.BigIntegerField()),
                ("day", models.DateTimeField()),
                ("workflow", _fk("workflows.workflow")),
                ("workspace", _fk("workspaces.workspace")),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("workspace", "day", "workflow", "node_id"),
                        name="node_rollup_day_key",
                    )
                ]
            },
        ),
        migrations.CreateModel(
            name="RunRollupDay",
            fields=[
                _ids(),
                ("status", models.CharField(max_length=10)),
                ("runs", models.IntegerField()),
                ("day", models.DateTimeField()),
                *HISTOGRAM,
                ("workflow", _fk("workflows.workflow")),
                ("workspace", _fk("workspaces.workspace")),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("workspace", "day", "workflow", "status"), name="run_rollup_day_key"
                    )
                ]
            },
        ),
        migrations.CreateModel(
            name="StepRollupDay",
            fields=[
                _ids(),
                ("block_type", models.CharField(max_length=100)),
                ("steps", models.IntegerField()),
                ("failed", models.IntegerField()),
                ("day", models.DateTimeField()),
                *HISTOGRAM,
                ("workspace", _fk("workspaces.workspace")),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("workspace", "day", "block_type"), name="step_rollup_day_key"
                    )
                ]
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
