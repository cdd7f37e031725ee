"""Key rotation: re-seal every registered sealed column under the newest key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from apps.credentials.crypto import InvalidCiphertext
from apps.credentials.keyring import keyring
from apps.credentials.sealed import SealedColumn, sealed_columns


@dataclass
class RotationCount:
    rotated: int = 0
    current: int = 0
    failed: int = 0


def credentials_rotate_key() -> dict[str, RotationCount]:
    """Re-seal every registered sealed column (apps.credentials.sealed) under the newest key."""
    ring = keyring()
    counts: dict[str, RotationCount] = {}
    for column in sealed_columns():
        counts[column.name] = _rotate_column(ring, column)
    return counts


def _rotate_column(ring: Any, column: SealedColumn) -> RotationCount:
    count = RotationCount()
    rows = column.model._default_manager
    ids = rows.filter(**{f"{column.field}__isnull": False}).values_list("pk", flat=True)
    for pk in ids.iterator():
        with transaction.atomic():
            row = rows.select_for_update().filter(pk=pk).first()
            if row is None or getattr(row, column.field) is None:
                continue  # deleted (or cleared) since it was listed

            def write(blob: bytes, pk: Any = pk) -> None:
                changes = {column.field: blob}
                if column.key_id_field:
                    changes[column.key_id_field] = ring.primary_key_id
                rows.filter(pk=pk).update(**changes)

            _rotate_one(ring, count, bytes(getattr(row, column.field)), column.aad(row), write)
    return count


def _rotate_one(ring: Any, count: RotationCount, blob: bytes, aad: bytes, write: Any) -> None:
    try:
        if not ring.needs_rotation(blob):
            count.current += 1
            return
        write(ring.rotate(blob, aad=aad))
        count.rotated += 1
    except InvalidCiphertext:
        count.failed += 1
