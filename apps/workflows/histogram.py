"""The fixed log-scale duration histogram of the monitoring rollups, and percentiles from it.

Bucket 0 holds durations under 1 ms; bucket ``i`` (1 .. BUCKETS - 2) holds
``2^((i-1)/4) <= ms < 2^(i/4)`` (each bucket 19 % wider than the one below); the last one
holds everything from ``2^30`` ms (12.4 days) up. A percentile is interpolated like
``percentile_cont`` between the two closest ranks, each rank's value placed evenly inside
its bucket: the estimate is within a factor ``2^(1/4)`` (19 %) of the exact figure, within
1 ms under 1 ms, and the lower edge (12.4 days) for the last bucket.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

PER_DOUBLING = 4
TOP_EXPONENT = 30
BUCKETS = PER_DOUBLING * TOP_EXPONENT + 2
COLUMNS = [f"b{i}" for i in range(BUCKETS)]
RATIO = 2 ** (1 / PER_DOUBLING)


def bucket_sql(ms: str) -> str:
    """The bucket index of the duration expression ``ms`` (PostgreSQL and SQLite alike)."""
    top = 2**TOP_EXPONENT
    ms = f"CAST(({ms}) AS DOUBLE PRECISION)"  # PostgreSQL's ln() of a numeric is slow
    return (
        f"CASE WHEN ({ms}) < 1 THEN 0 WHEN ({ms}) >= {top} THEN {BUCKETS - 1} "
        f"ELSE CAST(floor(ln({ms}) * {PER_DOUBLING / math.log(2)!r}) AS INTEGER) + 1 END"
    )


def _edges(index: int) -> tuple[float, float]:
    if index == 0:
        return 0.0, 1.0
    if index == BUCKETS - 1:
        top = float(2**TOP_EXPONENT)
        return top, top
    return RATIO ** (index - 1), RATIO**index


def _rank_value(counts: Sequence[int], rank: int) -> float:
    """The estimated value of the ``rank``-th smallest duration (0-based)."""
    seen = 0
    for index, count in enumerate(counts):
        if rank < seen + count:
            low, high = _edges(index)
            return low + (high - low) * (rank - seen + 0.5) / count
        seen += count
    raise ValueError("rank beyond the histogram")


def percentile(counts: Sequence[int], p: float) -> float | None:
    """Continuous percentile ``p`` (0..1) of the durations counted; None when empty."""
    total = sum(counts)
    if not total:
        return None
    position = p * (total - 1)
    low = math.floor(position)
    value = _rank_value(counts, low)
    if position > low:
        value += (_rank_value(counts, low + 1) - value) * (position - low)
    return value


def add(into: list[int], counts: Sequence[int]) -> None:
    for index, count in enumerate(counts):
        into[index] += int(count or 0)
