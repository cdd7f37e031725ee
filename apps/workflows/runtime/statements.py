"""SQL for the hot path of a run, where round trips are most of the cost.

On PostgreSQL several statements sent as one query string run in one implicit transaction
and cost one round trip (the simple query protocol; Django's default client-side binding
cursor sends parameters that way). `run_together` uses that for the claim (its advisory lock
and its UPDATE) and for the finish (the last step checkpoints and the outcome). SQLite runs
them one after another inside one transaction: it is a local file, there is no round trip.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import Field, Model
from django.db.models.fields import AutoFieldMixin

Statement = tuple[str, list[Any]]


def run_together(statements: Sequence[Statement]) -> tuple[list[str], list[tuple]]:
    """Run the statements as one transaction; the columns and rows of the last one."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("; ".join(sql for sql, _ in statements),
                           [p for _, params in statements for p in params])
            while cursor.nextset():
                pass
            return _result(cursor)
        with transaction.atomic():
            for sql, params in statements:
                cursor.execute(sql, params)
            return _result(cursor)  # SQLite: read RETURNING rows before the commit


def _result(cursor: Any) -> tuple[list[str], list[tuple]]:
    if cursor.description is None:
        return [], []
    return [column[0] for column in cursor.description], cursor.fetchall()


def insert(rows: Sequence[Model]) -> Statement:
    """INSERT of new rows of one model (auto-increment keys are left to the database)."""
    sql, params, _ = _insert(rows)
    return sql, params


def upsert(rows: Sequence[Model], *, unique: Sequence[str]) -> Statement:
    """INSERT ... ON CONFLICT (unique) DO UPDATE every other column."""
    sql, params, fields = _insert(rows)
    qn = connection.ops.quote_name
    unique_columns = [rows[0]._meta.get_field(name).column for name in unique]
    updates = ", ".join(f"{qn(f.column)} = EXCLUDED.{qn(f.column)}" for f in fields
                        if f.column not in unique_columns)
    conflict = ", ".join(qn(column) for column in unique_columns)
    return f"{sql} ON CONFLICT ({conflict}) DO UPDATE SET {updates}", params


def _insert(rows: Sequence[Model]) -> tuple[str, list[Any], list[Field]]:
    meta = rows[0]._meta
    fields = [f for f in meta.concrete_fields
              if not (f.primary_key and isinstance(f, AutoFieldMixin))]
    qn = connection.ops.quote_name
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "  # noqa: S608 (model identifiers)
           f"VALUES {', '.join([one] * len(rows))}")
    # pre_save fills what the ORM would (auto_now_add timestamps).
    params = [f.get_db_prep_save(f.pre_save(row, True), connection)
              for row in rows for f in fields]
    return sql, params, fields


def from_row(model: type[Model], columns: list[str], row: tuple) -> Model:
    """A model instance from a raw row (RETURNING *), with the field converters applied."""
    values = dict(zip(columns, row, strict=True))
    table = model._meta.db_table
    names, converted = [], []
    for field in model._meta.concrete_fields:
        col = field.get_col(table)
        value = values[field.column]
        for convert in [*connection.ops.get_db_converters(col),
                        *col.get_db_converters(connection)]:
            value = convert(value, col, connection)
        names.append(field.attname)
        converted.append(value)
    instance = model.from_db(connection.alias, names, converted)
    for extra in set(columns) - {f.column for f in model._meta.concrete_fields}:
        setattr(instance, extra, values[extra])
    return instance
