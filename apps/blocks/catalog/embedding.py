"""Embedding: turn texts into vectors, locally or through an OpenAI-compatible API.

``provider: local`` (default) uses the platform's encoder, the routing app's offline
all-MiniLM-L6-v2 (384 dimensions), through the host service ``ctx.services["encoder"]``:
any object with ``key: str``, ``dim: int`` and ``encode(texts: Sequence[str])`` returning one
row per text (a numpy array or lists), e.g. ``apps.routing.encoders.get_encoder()``. The
model runs in the worker; nothing is downloaded at run time.

``provider: openai`` calls ``POST {base_url}/embeddings`` (``{"model", "input": [...]}``) via
``ctx.http`` with the API key of ``credential_id``; rows are ordered by their ``index``.

Vectors are L2-normalised when ``normalize`` is on (the default), so a dot product is the
cosine similarity. Output: ``vectors`` (one list per text), ``vector`` (the first one, handy
with a single ``text``), ``dim``, ``count``, ``model`` (the encoder key: store it next to
the vectors, since vectors of different models must not be compared) and ``usage`` when the
API reports it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from apps.blocks.catalog import _outbound
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

KEY = "embedding"
MAX_TEXTS = 2048

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "text": {"type": ["string", "null"], "default": None},
        "texts": {
            "type": "array",
            "items": {"type": "string"},
            "maxItems": MAX_TEXTS,
            "default": [],
        },
        "provider": {"enum": ["local", "openai"], "default": "local"},
        "base_url": {"type": "string", "maxLength": 2000, "default": "https://api.openai.com/v1"},
        "model": {"type": "string", "maxLength": 200, "default": "text-embedding-3-small"},
        "credential_id": {"type": ["string", "null"], "default": None},
        "normalize": {"type": "boolean", "default": True},
        "timeout_s": {"type": "number", "exclusiveMinimum": 0, "maximum": 300, "default": 60},
    },
}

SPEC = BlockSpec(
    key=KEY,
    version=1,
    title="Embedding",
    category=Category.EMBEDDING,
    icon="binary",
    description="Turn text into vectors (local MiniLM encoder or an embeddings API).",
    config_schema=CONFIG_SCHEMA,
    outputs={
        "vectors": "array",
        "vector": "array",
        "dim": "integer",
        "count": "integer",
        "model": "string",
        "usage": "object",
    },
    policies=Policies(timeout_s=330, retry=RetryPolicy(max_attempts=3, base_s=1.0, max_s=30.0)),
)


def _texts(config: Mapping[str, Any]) -> list[str]:
    texts = [str(t) for t in config.get("texts") or []]
    if config.get("text") is not None:
        texts.insert(0, str(config["text"]))
    if not texts:
        raise BlockError(f"{KEY}: give a text or texts to embed", code="invalid_config")
    if len(texts) > MAX_TEXTS:
        raise BlockError(f"{KEY}: at most {MAX_TEXTS} texts per step", code="invalid_config")
    return texts


def _normalised(rows: list[list[float]]) -> list[list[float]]:
    out = []
    for row in rows:
        norm = math.sqrt(sum(x * x for x in row)) or 1.0
        out.append([x / norm for x in row])
    return out


def _local(ctx: BlockContext, texts: list[str]) -> tuple[list[list[float]], str, dict[str, int]]:
    encoder = ctx.services.get("encoder")
    if encoder is None:
        raise BlockError(
            f"{KEY}: this host provides no local encoder (ctx.services['encoder'])",
            code="not_configured",
        )
    try:
        raw = encoder.encode(texts)
    except Exception as exc:  # model missing, runtime error: say which, do not retry blindly
        raise BlockError(
            f"{KEY}: the local encoder failed: {type(exc).__name__}: {exc}", code="encoder_error"
        ) from None
    rows = raw.tolist() if hasattr(raw, "tolist") else [list(r) for r in raw]
    return [[float(x) for x in row] for row in rows], str(getattr(encoder, "key", "local")), {}


def _remote(
    ctx: BlockContext, config: Mapping[str, Any], texts: list[str]
) -> tuple[list[list[float]], str, dict[str, int]]:
    url = str(config.get("base_url") or "").rstrip("/") + "/embeddings"
    host = _outbound.host_of(url)
    response = _outbound.request(
        ctx,
        KEY,
        "POST",
        url,
        json={"model": config.get("model"), "input": texts},
        timeout=_outbound.timeout_for(ctx, float(config.get("timeout_s", 60))),
        credential_id=config.get("credential_id"),
    )
    redact = _outbound.redactor(ctx, config.get("credential_id"))
    if not 200 <= response.status < 300:
        raise _outbound.status_error(KEY, response, host, redact)
    answer = _outbound.decode_body(KEY, response, "json", 0, redact)
    try:
        data = sorted(answer["data"], key=lambda item: item.get("index", 0))
        rows = [[float(x) for x in item["embedding"]] for item in data]
    except (KeyError, TypeError, ValueError, AttributeError):
        raise BlockError(
            f"{KEY}: {host!r} answered without data[].embedding", code="invalid_response"
        ) from None
    usage = answer.get("usage") if isinstance(answer.get("usage"), Mapping) else {}
    return (
        rows,
        str(answer.get("model") or config.get("model")),
        {k: int(v) for k, v in usage.items() if isinstance(v, int)},
    )


@register(SPEC)
@_outbound.parks_when_told_to_wait
def execute(ctx: BlockContext, config: Mapping[str, Any], inputs: Mapping[str, Any]) -> BlockResult:
    """Encode every text; one vector per text, in order."""
    texts = _texts(config)
    if config.get("provider", "local") == "openai":
        rows, model, usage = _remote(ctx, config, texts)
    else:
        rows, model, usage = _local(ctx, texts)
    if len(rows) != len(texts) or len({len(r) for r in rows}) != 1:
        raise BlockError(
            f"{KEY}: expected {len(texts)} vectors of one size, got {len(rows)}",
            code="invalid_response",
        )
    if config.get("normalize", True):
        rows = _normalised(rows)
    return BlockResult(
        outputs={
            "vectors": rows,
            "vector": rows[0],
            "dim": len(rows[0]),
            "count": len(rows),
            "model": model,
            "usage": usage,
        }
    )
