"""SQL for the hot path of a run, where round trips are most of the cost.

On PostgreSQL several statements sent as one query string run in one implicit transaction
and cost one round trip (the simple query protocol; Django's default client-side binding
cursor sends parameters that way). `run_together` uses that for the claim (its advisory lock
and its UPDATE) and for the finish (the last step checkpoints and the outcome). SQLite runs
them one after another inside one transaction: it is a local file, there is no round trip.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any
from uuid import UUID

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model
from django.db.models.fields import AutoFieldMixin
from django.db.models.options import Options

Statement = tuple[str, list[Any]]


def _db() -> BaseDatabaseWrapper:
    # `django.db.connection` is a proxy that looks the wrapper up on every attribute; these
    # loops touch it per field and row, so they take the wrapper once.
    return connections[DEFAULT_DB_ALIAS]


def run_together(statements: Sequence[Statement]) -> tuple[list[str], list[tuple]]:
    """Run the statements as one transaction; the columns and rows of the last one."""
    connection = _db()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "; ".join(sql for sql, _ in statements),
                [p for _, params in statements for p in params],
            )
            while cursor.nextset():
                pass
            return _result(cursor)
        with transaction.atomic():
            for sql, params in statements:
                cursor.execute(sql, params)
            return _result(cursor)  # SQLite: read RETURNING rows before the commit


def _result(cursor: Any) -> tuple[list[str], list[tuple]]:
    description = cursor.description
    if description is None:
        return [], []
    return [column[0] for column in description], cursor.fetchall()


def insert(rows: Sequence[Model]) -> Statement:
    """INSERT of new rows of one model (auto-increment keys are left to the database)."""
    sql, params, _ = _insert(rows)
    return sql, params


def upsert(rows: Sequence[Model], *, unique: tuple[str, ...]) -> Statement:
    """INSERT ... ON CONFLICT (unique) DO UPDATE every other column.

    On PostgreSQL the rows travel as one JSON parameter expanded by
    `json_populate_recordset`: the statement's text is then the same for any number of rows,
    so psycopg parses it once, and no per-field adaptation runs in Python.
    """
    model = type(rows[0])
    if _db().vendor == "postgresql":
        sql, fields = _recordset_upsert_sql(model, unique)
        return sql, [
            json.dumps([{f.column: _plain(f.pre_save(row, True)) for f in fields} for row in rows])
        ]
    sql, params, _ = _insert(rows)
    return sql + _on_conflict(model, unique), params


@lru_cache(maxsize=8)
def _recordset_upsert_sql(model: type[Model], unique: tuple[str, ...]) -> tuple[str, list[Field]]:
    qn = _db().ops.quote_name
    fields = _insert_fields(model._meta)
    columns = ", ".join(qn(f.column) for f in fields)
    table = qn(model._meta.db_table)
    sql = (
        f"INSERT INTO {table} ({columns}) SELECT {columns} "  # noqa: S608 (model identifiers)
        f"FROM json_populate_recordset(NULL::{table}, %s)"
    )
    return sql + _on_conflict(model, unique), fields


@lru_cache(maxsize=8)
def _on_conflict(model: type[Model], unique: tuple[str, ...]) -> str:
    qn = _db().ops.quote_name
    unique_columns = [model._meta.get_field(name).column for name in unique]
    updates = ", ".join(
        f"{qn(f.column)} = EXCLUDED.{qn(f.column)}"
        for f in _insert_fields(model._meta)
        if f.column not in unique_columns
    )
    conflict = ", ".join(qn(column) for column in unique_columns)
    return f" ON CONFLICT ({conflict}) DO UPDATE SET {updates}"


def _plain(value: Any) -> Any:
    """A field's Python value as JSON for json_populate_recordset (JSON fields stay nested)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def _insert_fields(meta: Options) -> list[Field]:
    return [
        f for f in meta.concrete_fields if not (f.primary_key and isinstance(f, AutoFieldMixin))
    ]


def _insert(rows: Sequence[Model]) -> tuple[str, list[Any], list[Field]]:
    connection = _db()
    sql, fields = _insert_sql(type(rows[0]), len(rows))
    # pre_save fills what the ORM would (auto_now_add timestamps).
    params = [f.get_db_prep_save(f.pre_save(row, True), connection) for row in rows for f in fields]
    return sql, params, fields


@lru_cache(maxsize=32)
def _insert_sql(model: type[Model], count: int) -> tuple[str, list[Field]]:
    qn = _db().ops.quote_name
    fields = _insert_fields(model._meta)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {qn(model._meta.db_table)} "  # noqa: S608 (model identifiers)
        f"({', '.join(qn(f.column) for f in fields)}) VALUES {', '.join([one] * count)}"
    )
    return sql, fields


def from_row(model: type[Model], columns: list[str], row: tuple) -> Model:
    """A model instance from a raw row (RETURNING *), with the field converters applied."""
    connection = _db()
    values = dict(zip(columns, row, strict=True))
    names, converted = [], []
    for field, col, converters in _converters(model, connection.vendor):
        value = values[field.column]
        for convert in converters:
            value = convert(value, col, connection)
        names.append(field.attname)
        converted.append(value)
    instance = model.from_db(connection.alias, names, converted)
    for extra in set(columns) - {f.column for f in model._meta.concrete_fields}:
        setattr(instance, extra, values[extra])
    return instance


@lru_cache(maxsize=8)
def _converters(model: type[Model], vendor: str) -> list[tuple[Field, Any, list[Any]]]:
    """Per field: its column expression and the converters the ORM would apply to it."""
    connection = _db()
    table = model._meta.db_table
    result = []
    for field in model._meta.concrete_fields:
        col = field.get_col(table)
        result.append(
            (
                field,
                col,
                [*connection.ops.get_db_converters(col), *col.get_db_converters(connection)],
            )
        )
    return result
