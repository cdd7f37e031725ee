"""An OpenAI-compatible embeddings API as the encoder (``ROUTING_ENCODER=openai``).

``POST {base}/embeddings {"model", "input": [...]}`` answers ``{"data": [{"index",
"embedding"}]}``; vectors are normalised here because not every server does. Calls go
through the platform's outbound client (SSRF guard, retries, breaker, metrics).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from apps.routing.encoders.base import EncoderError, normalise
from apps.routing.http import ApiError, outbound_client, post_json

__all__ = ["OpenAIEmbeddingsEncoder"]

BATCH = 256


class OpenAIEmbeddingsEncoder:
    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str = "",
        dim: int | None = None,
        client: Any = None,
    ) -> None:
        if not base_url:
            raise EncoderError("ROUTING_EMBEDDINGS_URL is not set")
        self.url = base_url.rstrip("/") + "/embeddings"
        self.model = model
        self._api_key = api_key
        self._client = client or outbound_client()
        # The server decides the model's weights; its URL and model name stand for them.
        host = hashlib.sha256(base_url.rstrip("/").encode()).hexdigest()[:12]
        self.key = f"openai:{model}@{host}"
        self.dim = dim or len(self.encode(["dimension probe"])[0])

    def __repr__(self) -> str:  # no API key
        return f"OpenAIEmbeddingsEncoder(url={self.url!r}, model={self.model!r})"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        chunks = []
        for start in range(0, len(texts), BATCH):
            batch = list(texts[start : start + BATCH])
            try:
                answer = post_json(
                    self._client,
                    self.url,
                    {"model": self.model, "input": batch},
                    api_key=self._api_key,
                )
                rows = sorted(answer["data"], key=lambda item: item.get("index", 0))
                vectors = np.asarray([row["embedding"] for row in rows], dtype=np.float32)
            except ApiError as exc:
                raise EncoderError(f"embeddings API: {exc}") from None
            except (KeyError, TypeError, ValueError):
                raise EncoderError("embeddings API: unexpected answer shape") from None
            if vectors.ndim != 2 or len(vectors) != len(batch):
                raise EncoderError("embeddings API: wrong number of vectors")
            chunks.append(vectors)
        if not chunks:
            return np.zeros((0, getattr(self, "dim", 0)), dtype=np.float32)
        return normalise(np.concatenate(chunks))
