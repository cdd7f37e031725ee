"""pgvector for the vector store, when PostgreSQL offers it; a no-op everywhere else.

On PostgreSQL whose server has the ``vector`` extension available, this creates the
extension (if the role may) and adds ``blocks_vectoritem.embedding vector``. Without it the
portable JSON column is used (``apps.blocks.vectors`` decides at run time by looking for the
column). To pick pgvector up after installing it on the server (e.g. the Debian package
``postgresql-16-pgvector``), run ``manage.py migrate blocks 0001`` then
``manage.py migrate blocks``: this migration runs again, adds the column and backfills it.
"""

from django.db import migrations

AVAILABLE = "SELECT 1 FROM pg_available_extensions WHERE name = 'vector'"


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(AVAILABLE)
        if cursor.fetchone() is None:
            return
        cursor.execute("SAVEPOINT blocks_pgvector")
        try:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS vector")
        except Exception:  # no privilege to create it: stay on the portable column
            cursor.execute("ROLLBACK TO SAVEPOINT blocks_pgvector")
            return
        cursor.execute("RELEASE SAVEPOINT blocks_pgvector")
        cursor.execute("ALTER TABLE blocks_vectoritem ADD COLUMN IF NOT EXISTS embedding vector")
        cursor.execute("UPDATE blocks_vectoritem SET embedding = vector::text::vector")


def backwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE blocks_vectoritem DROP COLUMN IF EXISTS embedding")


class Migration(migrations.Migration):
    dependencies = [("blocks", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
