"""The registry of sealed columns: every column, in any app, holding a blob sealed with the
credential key ring. Key rotation re-seals what is registered here, so the credentials app
never imports the apps above it that keep secrets of their own (trigger signing secrets)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models


@dataclass(frozen=True)
class SealedColumn:
    """``model.field`` holds a sealed blob (or NULL) whose associated data is ``aad(row)``."""

    name: str  # the line of the rotation report
    model: type[models.Model]
    field: str
    aad: Callable[[Any], bytes]
    key_id_field: str | None = None  # a column that records the sealing key, kept in step


_columns: dict[str, SealedColumn] = {}


def sealed_column_register(column: SealedColumn) -> None:
    """Called from an AppConfig.ready(); registering the same name again replaces it."""
    _columns[column.name] = column


def sealed_columns() -> list[SealedColumn]:
    return list(_columns.values())
