"""The encoder interface: text in, L2-normalised float32 vectors out.

``key`` names everything the vectors depend on (model, weights, runtime), so persisted
vectors are reused only by an encoder that would produce the same ones.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

__all__ = ["CachedEncoder", "Encoder", "EncoderError", "normalise"]


class EncoderError(Exception):
    """The encoder could not produce vectors (model missing, API down, bad answer)."""


@runtime_checkable
class Encoder(Protocol):
    key: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32, each row L2-normalised."""
        ...


def normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class CachedEncoder:
    """An LRU cache of single-query vectors in front of another encoder.

    Users repeat themselves (the same prompt from a workflow on every run), so a hit skips
    the model entirely. Batches (route utterances) bypass the cache: they are persisted.
    """

    def __init__(self, inner: Encoder, size: int = 4096) -> None:
        self.inner = inner
        self.key = inner.key
        self.dim = inner.dim
        self.size = size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) != 1 or self.size <= 0:
            return self.inner.encode(texts)
        text = texts[0]
        with self._lock:
            cached = self._cache.get(text)
            if cached is not None:
                self._cache.move_to_end(text)
                self.hits += 1
                return cached[None, :]
        vector = self.inner.encode([text])[0]
        vector.setflags(write=False)
        with self._lock:
            self.misses += 1
            self._cache[text] = vector
            if len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return vector[None, :]

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()
