"""Encoders: the interface, the local MiniLM default, an OpenAI-compatible option.

``get_encoder()`` is the process-wide encoder chosen by settings, behind an LRU cache of
query vectors; it is built once per process (a worker loads it at start).
"""

from __future__ import annotations

import threading

from apps.routing.encoders.base import CachedEncoder, Encoder, EncoderError, normalise

__all__ = ["CachedEncoder", "Encoder", "EncoderError", "build_encoder", "get_encoder", "normalise"]

_lock = threading.Lock()
_encoder: CachedEncoder | None = None


def build_encoder(kind: str | None = None) -> Encoder:
    """A new encoder as configured (no cache in front)."""
    from apps.routing import conf

    kind = kind or conf.get("ROUTING_ENCODER")
    if kind == "local":
        from apps.routing.encoders.local import MiniLMEncoder

        return MiniLMEncoder(
            runtime=conf.get("ROUTING_RUNTIME"), threads=int(conf.get("ROUTING_THREADS"))
        )
    if kind == "openai":
        from apps.routing.encoders.remote import OpenAIEmbeddingsEncoder

        return OpenAIEmbeddingsEncoder(
            base_url=conf.get("ROUTING_EMBEDDINGS_URL"),
            model=conf.get("ROUTING_EMBEDDINGS_MODEL"),
            api_key=conf.get("ROUTING_EMBEDDINGS_API_KEY"),
        )
    raise EncoderError(f"unknown ROUTING_ENCODER {kind!r} (local or openai)")


def get_encoder() -> CachedEncoder:
    """The process-wide encoder, loaded on first use."""
    global _encoder
    if _encoder is None:
        with _lock:
            if _encoder is None:
                from apps.routing import conf

                _encoder = CachedEncoder(build_encoder(), size=int(conf.get("ROUTING_QUERY_CACHE")))
    return _encoder


def reset_encoder() -> None:
    """Forget the process-wide encoder (settings changed; tests)."""
    global _encoder
    with _lock:
        _encoder = None
