"""Routing settings, each read from Django settings first and the environment second.

Every name has a working default so the embedded `make run` needs none of them:

- ``ROUTING_ENCODER``: ``local`` (all-MiniLM-L6-v2 from the installed package) or ``openai``
  (an OpenAI-compatible embeddings API: ``ROUTING_EMBEDDINGS_URL``/``_MODEL``/``_API_KEY``).
- ``ROUTING_RUNTIME``: how the local model runs: ``onnx-int8`` (default: ONNX Runtime on an
  int8 per-channel quantised export), ``onnx`` (fp32 export) or ``torch`` (sentence-transformers).
- ``ROUTING_THREADS``: intra-op threads of the local encoder (1: a single short query gains
  nothing from a second thread on a 2-core box, and keeps the other core for the web process).
- ``ROUTING_MODEL_DIR``: where ONNX exports are written at first use (``var/models``).
- ``ROUTING_THRESHOLD``: global confidence threshold (0.7).
- ``ROUTING_LLM_URL``/``_MODEL``/``_API_KEY``: an OpenAI-compatible chat API for the LLM
  fallback and the tool-calling agent; the fallback is off when the URL is empty.
- ``ROUTING_QUERY_CACHE``: size of the per-process LRU cache of query vectors.
- ``ROUTING_WARM_ON_START``: a worker consuming the ``routing`` queue queues one
  ``routing.prepare_vectors`` when it starts (encodes what a fresh catalogue lacks, off the
  execution workers). Every process builds its router lazily, on first use.
- ``ROUTING_MAX_INLINE_ENCODE``: a request that finds more utterances without a stored
  vector than this answers 503 and queues ``routing.prepare_vectors`` instead of encoding.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings

from config.env import env, var_path

_DEFAULTS: dict[str, Any] = {
    "ROUTING_ENCODER": "local",
    "ROUTING_RUNTIME": "onnx-int8",
    "ROUTING_THREADS": 1,
    "ROUTING_THRESHOLD": 0.7,
    "ROUTING_QUERY_CACHE": 4096,
    "ROUTING_EMBEDDINGS_URL": "",
    "ROUTING_EMBEDDINGS_MODEL": "text-embedding-3-small",
    "ROUTING_EMBEDDINGS_API_KEY": "",
    "ROUTING_LLM_URL": "",
    "ROUTING_LLM_MODEL": "gpt-4o-mini",
    "ROUTING_LLM_API_KEY": "",
    "ROUTING_AGENT_MAX_ITERATIONS": 6,
    "ROUTING_WARM_ON_START": True,
    "ROUTING_MAX_INLINE_ENCODE": 1000,
}


def get(name: str) -> Any:
    """A routing setting: Django settings, then the environment, then the default."""
    if hasattr(settings, name):
        return getattr(settings, name)
    default = _DEFAULTS[name]
    if isinstance(default, bool):
        return env.bool(name, default=default)
    if isinstance(default, int):
        return env.int(name, default=default)
    if isinstance(default, float):
        return env.float(name, default=default)
    return env.str(name, default=default)


def model_dir() -> Path:
    configured = getattr(settings, "ROUTING_MODEL_DIR", None) or env.str(
        "ROUTING_MODEL_DIR", default=""
    )
    if configured:
        path = Path(configured)
        path.mkdir(parents=True, exist_ok=True)
        return path
    return var_path("models", ".keep").parent
