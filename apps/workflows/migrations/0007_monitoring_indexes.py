"""Indexes for the Monitoring page (apps/workflows/monitoring/): a workspace's runs by creation
time covering the columns its aggregates read (index-only scans on PostgreSQL), the failed
steps alone for its failing nodes, steps by start for its block durations. benchmarks/RESULTS.md has the figures. Built
CONCURRENTLY on PostgreSQL so runs are not blocked while they build; SQLite builds them as
usual (without the covering columns, which it does not support)."""

from django.db import migrations, models

RUNS = models.Index(
    fields=["workspace", "created_at"],
    include=["id", "workflow", "status", "started_at", "finished_at"],
    name="execution_ws_created_stats",
)
FAILED_STEPS = models.Index(
    fields=["execution"],
    include=["node_id", "block_type", "finished_at"],
    condition=models.Q(status="failed"),
    name="execution_step_failed",
)
STEPS_BY_START = models.Index(fields=["started_at"], name="execution_step_started")
INDEXES = [("execution", RUNS), ("executionstep", FAILED_STEPS), ("executionstep", STEPS_BY_START)]


def create(apps, schema_editor):
    concurrently = {"concurrently": True} if schema_editor.connection.vendor == "postgresql" else {}
    for model_name, index in INDEXES:
        schema_editor.add_index(apps.get_model("workflows", model_name), index, **concurrently)


def drop(apps, schema_editor):
    concurrently = {"concurrently": True} if schema_editor.connection.vendor == "postgresql" else {}
    for model_name, index in INDEXES:
        schema_editor.remove_index(apps.get_model("workflows", model_name), index, **concurrently)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("workflows", "0006_workflow_graph_connector_index")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(create, drop)],
            state_operations=[
                migrations.AddIndex(model_name=model_name, index=index)
                for model_name, index in INDEXES
            ],
        )
    ]
