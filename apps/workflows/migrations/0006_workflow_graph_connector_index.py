"""A GIN index on the workflow graph (PostgreSQL only) for the connector catalogue's popularity:
each connector's count is a JSONB containment (``graph @> {...}``), which without it scans every
graph once per connector (seconds at a few thousand workflows; tens of ms with it). Built
CONCURRENTLY so saving workflows is not blocked while it builds. SQLite (the embedded default)
gets nothing."""

from django.db import migrations

INDEX = "workflow_graph_path_ops"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} "
            "ON workflows_workflow USING gin (graph jsonb_path_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("workflows", "0005_workflow_is_tool")]

    operations = [migrations.RunPython(create, drop)]
