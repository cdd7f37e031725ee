"""The vector store host service (``ctx.services["vectors"]``) for the ``vector_store`` block.

One ``VectorStore`` is bound to one workspace by the host (``block_services``), so a block
can only ever see its own workspace's collections::

    VectorStore(workspace_id=...)
      .upsert(*, collection, items, model="") -> {"upserted": n, "dim": d}
      .query(*, collection, vector, top_k=5, filter=None, min_score=None) -> [
            {"id", "score", "text", "metadata"}, ...]   # best first, cosine similarity
      .delete(*, collection, ids) -> int
      .count(*, collection) -> int

``items`` are ``{"id": str, "vector": [float], "text": str?, "metadata": {}?}``. Vectors
are L2-normalised on the way in, so cosine similarity is a dot product; a collection holds
one dimension (the first upsert fixes it) and a mismatch is a ``VectorStoreError``.

Backends, chosen per process at first use:

- pgvector: PostgreSQL with the ``embedding vector`` column that migration
  ``0002_pgvector`` adds when the extension is available. Ranking is done by PostgreSQL
  (``embedding <=> query``, exact search within the collection's rows).
- portable: every other database (SQLite, PostgreSQL without pgvector). The JSON copy of the
  rows of one collection is scanned in Python with a bounded heap; fine for the tens of
  thousands of vectors a workflow collection usually holds, and the same answers.
"""

from __future__ import annotations

import functools
import heapq
import json
import math
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from django.db import connection, transaction
from django.utils import timezone

from apps.blocks.models import VectorItem

__all__ = ["VectorStore", "VectorStoreError", "pgvector_enabled"]

COLLECTION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}$")
_pgvector: bool | None = None


F = TypeVar("F", bound=Callable[..., Any])


def _releases_connection(method: F) -> F:
    """Close this thread's DB connection after the call when the engine runs the block in a
    throwaway thread (a step with a timeout gets its own thread); otherwise every such step
    would leave a connection open until the thread object is collected."""

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        finally:
            if (
                threading.current_thread() is not threading.main_thread()
                and not connection.in_atomic_block
            ):
                connection.close()

    return wrapper


class VectorStoreError(ValueError):
    """Bad input for the vector store (dimension mismatch, bad collection name, ...)."""


def pgvector_enabled() -> bool:
    """True on PostgreSQL when ``blocks_vectoritem.embedding`` exists (cached per process)."""
    global _pgvector
    if _pgvector is None:
        if connection.vendor != "postgresql":
            _pgvector = False
        else:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT 1 FROM information_schema.columns WHERE table_name = "
                    "'blocks_vectoritem' AND column_name = 'embedding'"
                )
                _pgvector = cursor.fetchone() is not None
    return _pgvector


def _normalised(vector: Any, where: str) -> list[float]:
    if not isinstance(vector, Sequence) or isinstance(vector, str) or not vector:
        raise VectorStoreError(f"{where}: a vector must be a non-empty list of numbers")
    try:
        values = [float(x) for x in vector]
    except (TypeError, ValueError):
        raise VectorStoreError(f"{where}: a vector must contain numbers only") from None
    if not all(math.isfinite(x) for x in values):
        raise VectorStoreError(f"{where}: a vector must not contain NaN or infinity")
    norm = math.sqrt(sum(x * x for x in values))
    if norm == 0:
        raise VectorStoreError(f"{where}: a zero vector has no direction to compare")
    return [x / norm for x in values]


def _matches(metadata: Any, wanted: Mapping[str, Any]) -> bool:
    return isinstance(metadata, Mapping) and all(
        key in metadata and metadata[key] == value for key, value in wanted.items()
    )


class VectorStore:
    """Collections of vectors in one workspace (see the module docstring)."""

    def __init__(self, *, workspace_id: Any) -> None:
        self.workspace_id = workspace_id

    def _rows(self, collection: str) -> Any:
        if not isinstance(collection, str) or not COLLECTION_RE.match(collection):
            raise VectorStoreError(
                f"collection name {str(collection)[:40]!r} must be 1-100 letters, digits, "
                "'_', '-' or '.'"
            )
        return VectorItem.objects.filter(workspace_id=self.workspace_id, collection=collection)

    def _dim(self, collection: str) -> int | None:
        return self._rows(collection).values_list("dim", flat=True).first()

    @_releases_connection
    def upsert(
        self, *, collection: str, items: Iterable[Mapping[str, Any]], model: str = ""
    ) -> dict[str, Any]:
        """Insert or replace items by id; all vectors must share the collection's dimension."""
        rows = self._rows(collection)
        prepared: dict[str, dict[str, Any]] = {}
        for index, item in enumerate(items):
            item_id = item.get("id") if isinstance(item, Mapping) else None
            if not isinstance(item_id, str | int) or isinstance(item_id, bool) or item_id == "":
                raise VectorStoreError(f"items[{index}]: an id (string) is required")
            metadata = item.get("metadata") or {}
            if not isinstance(metadata, Mapping):
                raise VectorStoreError(f"items[{index}]: metadata must be an object")
            prepared[str(item_id)] = {
                "vector": _normalised(item.get("vector"), f"items[{index}]"),
                "text": str(item.get("text") or ""),
                "metadata": dict(metadata),
            }
        if not prepared:
            return {"upserted": 0, "dim": self._dim(collection)}
        dims = {len(p["vector"]) for p in prepared.values()}
        if len(dims) != 1:
            raise VectorStoreError("all vectors of one upsert must have the same dimension")
        dim = dims.pop()
        with transaction.atomic():
            # Locks the collection's rows (PostgreSQL) while the dimension is checked.
            existing = rows.select_for_update().values_list("dim", flat=True).first()
            if existing is not None and existing != dim:
                raise VectorStoreError(
                    f"collection {collection!r} holds {existing}-dimensional vectors, "
                    f"got {dim}; use one embedding model per collection"
                )
            known = dict(rows.filter(item_id__in=list(prepared)).values_list("item_id", "pk"))
            updates, creates = [], []
            now = timezone.now()  # bulk_update skips auto_now
            for item_id, values in prepared.items():
                row = VectorItem(
                    workspace_id=self.workspace_id,
                    collection=collection,
                    item_id=item_id,
                    dim=dim,
                    model=model,
                    updated_at=now,
                    **values,
                )
                if item_id in known:
                    row.pk = known[item_id]
                    updates.append(row)
                else:
                    creates.append(row)
            if updates:
                VectorItem.objects.bulk_update(
                    updates, ["dim", "vector", "text", "metadata", "model", "updated_at"]
                )
            if creates:
                VectorItem.objects.bulk_create(creates)
            if pgvector_enabled():
                with connection.cursor() as cursor:
                    cursor.execute(
                        "UPDATE blocks_vectoritem SET embedding = vector::text::vector "
                        "WHERE workspace_id = %s AND collection = %s AND item_id = ANY(%s)",
                        [str(self.workspace_id), collection, list(prepared)],
                    )
        return {"upserted": len(prepared), "dim": dim}

    @_releases_connection
    def query(
        self,
        *,
        collection: str,
        vector: Sequence[float],
        top_k: int = 5,
        filter: Mapping[str, Any] | None = None,
        min_score: float | None = None,
    ) -> list[dict[str, Any]]:
        """The ``top_k`` items most similar to ``vector`` (cosine), best first."""
        rows = self._rows(collection)
        query = _normalised(vector, "query")
        dim = self._dim(collection)
        if dim is None:
            return []
        if dim != len(query):
            raise VectorStoreError(
                f"collection {collection!r} holds {dim}-dimensional vectors, "
                f"the query has {len(query)}"
            )
        wanted = dict(filter or {})
        top_k = max(1, int(top_k))
        if pgvector_enabled():
            hits = self._query_pgvector(collection, query, top_k, wanted)
        else:
            hits = self._query_portable(rows, query, top_k, wanted)
        if min_score is not None:
            hits = [h for h in hits if h["score"] >= min_score]
        return hits

    def _query_portable(
        self, rows: Any, query: list[float], top_k: int, wanted: Mapping[str, Any]
    ) -> list[dict[str, Any]]:
        best: list[tuple[float, int, dict[str, Any]]] = []
        fields = ("item_id", "vector", "text", "metadata")
        for n, (item_id, vector, text, metadata) in enumerate(
            rows.values_list(*fields).iterator(chunk_size=2000)
        ):
            if wanted and not _matches(metadata, wanted):
                continue
            score = sum(a * b for a, b in zip(query, vector, strict=False))
            entry = (score, -n, {"id": item_id, "score": score, "text": text, "metadata": metadata})
            if len(best) < top_k:
                heapq.heappush(best, entry)
            elif entry[:2] > best[0][:2]:
                heapq.heapreplace(best, entry)
        return [
            dict(e[2], score=round(e[0], 6))
            for e in sorted(best, key=lambda e: e[:2], reverse=True)
        ]

    def _query_pgvector(
        self, collection: str, query: list[float], top_k: int, wanted: Mapping[str, Any]
    ) -> list[dict[str, Any]]:
        literal = json.dumps(query)
        sql = (
            "SELECT item_id, 1 - (embedding <=> %s::vector) AS score, text, metadata "
            "FROM blocks_vectoritem WHERE workspace_id = %s AND collection = %s"
        )
        params: list[Any] = [literal, str(self.workspace_id), collection]
        if wanted:
            sql += " AND metadata @> %s::jsonb"
            params.append(json.dumps(wanted))
        sql += " ORDER BY embedding <=> %s::vector, id LIMIT %s"
        params += [literal, top_k]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [
                {
                    "id": item_id,
                    "score": round(float(score), 6),
                    "text": text,
                    "metadata": metadata if isinstance(metadata, dict) else json.loads(metadata),
                }
                for item_id, score, text, metadata in cursor.fetchall()
            ]

    @_releases_connection
    def delete(self, *, collection: str, ids: Iterable[str]) -> int:
        deleted, _ = self._rows(collection).filter(item_id__in=[str(i) for i in ids]).delete()
        return int(deleted)

    @_releases_connection
    def count(self, *, collection: str) -> int:
        return int(self._rows(collection).count())
