"""Persisted utterance vectors: encode a text once per encoder, reuse it everywhere.

Keyed by (encoder key, SHA-256 of the text), so an edited utterance is encoded again, an
unchanged one never is, and two encoders never mix vectors. Shared by every process through
the database; a process keeps nothing another replica would need.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence

import numpy as np
from django.db import transaction

from apps.routing.encoders.base import Encoder
from apps.routing.models import UtteranceVector

__all__ = ["TooManyMissing", "text_sha", "vectors_for"]

logger = logging.getLogger("apps.routing.vectors")
CHUNK = 500  # SQLite allows 999 variables per statement


class TooManyMissing(Exception):
    """More texts lack a vector than the caller is willing to encode inline."""

    def __init__(self, missing: int) -> None:
        super().__init__(f"{missing} texts have no stored vector yet")
        self.missing = missing


def text_sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def vectors_for(
    encoder: Encoder, texts: Sequence[str], *, max_missing: int | None = None
) -> np.ndarray:
    """Vectors of ``texts`` in order: stored ones loaded, missing ones encoded and stored.

    ``max_missing``: raise TooManyMissing instead of encoding more than this many texts
    (a web request should not spend minutes encoding a freshly loaded catalogue).
    """
    shas = [text_sha(t) for t in texts]
    wanted = sorted(set(shas))
    found: dict[str, np.ndarray] = {}
    for start in range(0, len(wanted), CHUNK):
        rows = UtteranceVector.objects.filter(
            encoder=encoder.key, text_sha__in=wanted[start : start + CHUNK]
        ).values_list("text_sha", "vector")
        for sha, blob in rows:
            vector = np.frombuffer(bytes(blob), dtype="<f4")
            if len(vector) == encoder.dim:
                found[sha] = vector
    missing = [
        (sha, text) for sha, text in dict(zip(shas, texts, strict=True)).items() if sha not in found
    ]
    if max_missing is not None and len(missing) > max_missing:
        raise TooManyMissing(len(missing))
    if missing:
        encoded = encoder.encode([text for _, text in missing]).astype("<f4")
        rows = [
            UtteranceVector(encoder=encoder.key, text_sha=sha, vector=encoded[i].tobytes())
            for i, (sha, _) in enumerate(missing)
        ]
        with transaction.atomic():
            UtteranceVector.objects.bulk_create(rows, batch_size=CHUNK, ignore_conflicts=True)
        for i, (sha, _) in enumerate(missing):
            found[sha] = encoded[i]
        logger.info(
            "routing.vectors_encoded", extra={"count": len(missing), "encoder": encoder.key}
        )
    if not texts:
        return np.zeros((0, encoder.dim), dtype=np.float32)
    return np.stack([found[sha] for sha in shas]).astype(np.float32, copy=False)
