"""The time window a monitoring page asks about, and the bucket size that suits it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

Bucket = Literal["minute", "hour", "day"]

# Up to ~180 points per chart: minutes for a few hours, hours up to a week, days beyond.
_BUCKETS: tuple[tuple[timedelta, Bucket], ...] = (
    (timedelta(hours=3), "minute"),
    (timedelta(days=8), "hour"),
)
MAX_RANGE = timedelta(days=92)
STEP: dict[Bucket, timedelta] = {
    "minute": timedelta(minutes=1),
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
}


@dataclass(frozen=True, slots=True)
class Window:
    """``start <= created_at < end`` of the runs counted, both aware (UTC)."""

    start: datetime
    end: datetime

    @property
    def bucket(self) -> Bucket:
        span = self.end - self.start
        for limit, bucket in _BUCKETS:
            if span <= limit:
                return bucket
        return "day"

    def bucket_starts(self) -> list[datetime]:
        """Every bucket the window touches, oldest first, so empty ones chart as zeros."""
        first = truncate(self.start, self.bucket)
        step = STEP[self.bucket]
        starts = []
        while first < self.end:
            starts.append(first)
            first += step
        return starts


def truncate(moment: datetime, bucket: Bucket) -> datetime:
    moment = moment.astimezone(UTC)
    if bucket == "minute":
        return moment.replace(second=0, microsecond=0)
    if bucket == "hour":
        return moment.replace(minute=0, second=0, microsecond=0)
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)
