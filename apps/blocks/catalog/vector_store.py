"""Vector store: upsert, query (top-k cosine) and delete in a named collection of the workspace.

Storage is the host service ``ctx.services["vectors"]`` (``apps.blocks.vectors.VectorStore``
bound to the run's workspace; pgvector on PostgreSQL when available, a portable table
elsewhere)::

    upsert(*, collection, items, model="") -> {"upserted", "dim"}
    query(*, collection, vector, top_k, filter, min_score) -> [{"id", "score", "text",
                                                                "metadata"}]
    delete(*, collection, ids) -> int

Upsert items are ``{"id", "vector"?, "text"?, "metadata"?}``; an item without a vector is
embedded from its ``text`` with the host's local encoder (``ctx.services["encoder"]``, the
same one the ``embedding`` block uses), and a query may give ``text`` instead of ``vector``
the same way. ``filter`` keeps items whose metadata has all the given key/value pairs.
Outputs: ``upserted``/``dim`` (upsert), ``matches`` (query, best first), ``deleted``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apps.blocks.sdk import (
    BlockContext,
    BlockError,
    BlockResult,
    BlockSpec,
    Category,
    Policies,
    RetryPolicy,
    register,
)

KEY = "vector_store"
VECTOR = {"type": "array", "items": {"type": "number"}, "minItems": 1}
SCALAR = {"type": ["string", "number", "boolean", "null"]}

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["operation", "collection"],
    "properties": {
        "operation": {"enum": ["upsert", "query", "delete"]},
        "collection": {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}$"},
        "items": {
            "type": "array",
            "maxItems": 5000,
            "items": {
                "type": "object",
                "required": ["id"],
                "properties": {
                    "id": {"type": ["string", "integer"]},
                    "vector": VECTOR,
                    "text": {"type": "string"},
                    "metadata": {"type": "object"},
                },
            },
        },
        "vector": VECTOR,
        "text": {"type": "string"},
        "top_k": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 5},
        "filter": {"type": "object", "additionalProperties": SCALAR, "default": {}},
        "min_score": {"type": ["number", "null"], "minimum": -1, "maximum": 1, "default": None},
        "ids": {"type": "array", "items": {"type": ["string", "integer"]}},
    },
    "allOf": [
        {"if": {"properties": {"operation": {"const": "upsert"}}}, "then": {"required": ["items"]}},
        {
            "if": {"properties": {"operation": {"const": "query"}}},
            "then": {"anyOf": [{"required": ["vector"]}, {"required": ["text"]}]},
        },
        {"if": {"properties": {"operation": {"const": "delete"}}}, "then": {"required": ["ids"]}},
    ],
}

SPEC = BlockSpec(
    key=KEY,
    version=1,
    title="Vector store",
    category=Category.VECTOR_STORE,
    icon="database",
    description="Store vectors in a workspace collection and find the most similar ones.",
    config_schema=CONFIG_SCHEMA,
    outputs={"upserted": "integer", "dim": "integer", "matches": "array", "deleted": "integer"},
    # Database trouble is usually brief (a failover, a lock timeout): try twice more.
    policies=Policies(timeout_s=120, retry=RetryPolicy(max_attempts=3, base_s=0.5, max_s=10.0)),
)


def _service(ctx: BlockContext, name: str, what: str) -> Any:
    service = ctx.services.get(name)
    if service is None:
        raise BlockError(
            f"{KEY}: this host provides no {what} (ctx.services[{name!r}])", code="not_configured"
        )
    return service


def _encode(ctx: BlockContext, texts: list[str]) -> tuple[list[list[float]], str]:
    encoder = _service(ctx, "encoder", "local encoder to embed texts")
    try:
        raw = encoder.encode(texts)
    except Exception as exc:
        raise BlockError(
            f"{KEY}: the local encoder failed: {type(exc).__name__}: {exc}", code="encoder_error"
        ) from None
    rows = raw.tolist() if hasattr(raw, "tolist") else [list(r) for r in raw]
    return [[float(x) for x in row] for row in rows], str(getattr(encoder, "key", ""))


def _call(fn: Any, **kwargs: Any) -> Any:
    try:
        return fn(**kwargs)
    except ValueError as exc:  # VectorStoreError: bad input the builder can fix
        raise BlockError(f"{KEY}: {exc}", code="invalid_input") from None


@register(SPEC)
def execute(ctx: BlockContext, config: Mapping[str, Any], inputs: Mapping[str, Any]) -> BlockResult:
    """Run one store operation against the workspace's collection."""
    store = _service(ctx, "vectors", "vector store")
    operation, collection = config["operation"], config["collection"]
    if operation == "upsert":
        items = [dict(item) for item in config.get("items") or []]
        missing = [i for i, item in enumerate(items) if item.get("vector") is None]
        model = ""
        if missing:
            texts = [items[i].get("text") for i in missing]
            if any(not isinstance(t, str) or not t for t in texts):
                raise BlockError(
                    f"{KEY}: items[{missing[0]}] needs a vector or a text", code="invalid_input"
                )
            vectors, model = _encode(ctx, texts)
            for i, vector in zip(missing, vectors, strict=True):
                items[i]["vector"] = vector
        result = _call(store.upsert, collection=collection, items=items, model=model)
        return BlockResult(outputs={"upserted": result["upserted"], "dim": result["dim"]})
    if operation == "query":
        vector = config.get("vector")
        if vector is None:
            vector = _encode(ctx, [str(config["text"])])[0][0]
        matches = _call(
            store.query,
            collection=collection,
            vector=vector,
            top_k=int(config.get("top_k", 5)),
            filter=config.get("filter") or None,
            min_score=config.get("min_score"),
        )
        return BlockResult(outputs={"matches": matches})
    deleted = _call(store.delete, collection=collection, ids=[str(i) for i in config["ids"]])
    return BlockResult(outputs={"deleted": deleted})
