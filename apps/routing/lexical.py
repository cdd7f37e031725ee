"""BM25 over route texts: the lexical channel of hybrid scoring and the BM25 baseline.

Plain numpy: one posting array per term, so a query costs one ``np.add.at`` per query term
(microseconds for a few thousand routes). Tokens are lower-cased words with camelCase and
snake_case split, stop words removed and a light suffix stemmer ("events" -> "event").
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Sequence

import numpy as np

__all__ = ["BM25", "plain_tokens", "tokens"]

_STOP = (
    "a an the of to for in on at by with from and or is are be was were this that "
    "these those it its as i me my we our you your please can could would should will "
    "do does what which who whom how when where s t"
)
STOP_WORDS = frozenset(_STOP.split())
_WORD = re.compile(r"[A-Za-z0-9]+")
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_SUFFIXES = (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""))


def _stem(word: str) -> str:
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + replacement
    return word


def plain_tokens(text: str) -> list[str]:
    """Lower-cased words, nothing else: the tokenizer of the plain BM25 baseline."""
    return [w.lower() for w in _WORD.findall(text)]


def tokens(text: str) -> list[str]:
    words = _WORD.findall(_CAMEL.sub(r"\1 \2", text))
    return [_stem(w) for w in (w.lower() for w in words) if w not in STOP_WORDS]


class BM25:
    """Okapi BM25 (k1, b) over ``documents``; ``scores(query)`` is one float per document."""

    def __init__(
        self,
        documents: Sequence[str],
        *,
        k1: float = 1.2,
        b: float = 0.75,
        tokenize: Callable[[str], list[str]] | None = None,
    ) -> None:
        self.tokenize = tokenize or tokens
        self.size = len(documents)
        counts: list[dict[str, int]] = []
        df: dict[str, int] = defaultdict(int)
        for doc in documents:
            tf: dict[str, int] = defaultdict(int)
            for token in self.tokenize(doc):
                tf[token] += 1
            counts.append(tf)
            for token in tf:
                df[token] += 1
        lengths = np.array([sum(tf.values()) for tf in counts], dtype=np.float32)
        avg = float(lengths.mean()) if self.size and lengths.mean() > 0 else 1.0
        self.idf = {t: math.log(1 + (self.size - n + 0.5) / (n + 0.5)) for t, n in df.items()}
        ids: dict[str, list[int]] = defaultdict(list)
        weights: dict[str, list[float]] = defaultdict(list)
        for i, tf in enumerate(counts):
            norm = k1 * (1 - b + b * lengths[i] / avg)
            for token, f in tf.items():
                ids[token].append(i)
                weights[token].append(self.idf[token] * f * (k1 + 1) / (f + norm))
        self.postings = {
            t: (np.asarray(ids[t], dtype=np.int32), np.asarray(weights[t], dtype=np.float32))
            for t in ids
        }

    def scores(self, query: str) -> np.ndarray:
        out = np.zeros(self.size, dtype=np.float32)
        for token in set(self.tokenize(query)):
            posting = self.postings.get(token)
            if posting is not None:
                np.add.at(out, posting[0], posting[1])
        return out

    def query_weight(self, query: str) -> float:
        """The summed IDF of the query's terms: how much lexical evidence it can carry. A term
        no document has gets the highest IDF: it is evidence that nothing here matches."""
        unseen = math.log(1 + (self.size + 0.5) / 0.5)
        return float(sum(self.idf.get(t, unseen) for t in set(self.tokenize(query))))
