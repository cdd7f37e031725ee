"""The rate limiter: a sliding-window counter shared through the key-value store.

The count of the current window plus the previous window's count weighted by how much of
it the sliding window still covers. Unlike a fixed window it never lets twice the limit
through across a window edge; unlike a log of timestamps it costs two keys and ``incr``
only, so it is atomic enough on Redis without Lua.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from apps.core.resilience.store import KeyValueStore, counter_incr


class RateLimiter:
    def __init__(self, store: KeyValueStore, *, clock: Callable[[], float] = time.time) -> None:
        self.store, self.clock = store, clock

    def acquire(self, key: str, *, limit: int, period_s: float) -> float:
        """Take a slot: 0.0 when granted, else the seconds to wait before trying again."""
        now = self.clock()
        slot = int(now // period_s)
        elapsed = (now % period_s) / period_s
        current_key, previous_key = f"{key}:{slot}", f"{key}:{slot - 1}"
        count = counter_incr(self.store, current_key, int(2 * period_s) + 1)
        previous = int(self.store.get(previous_key) or 0)
        if previous * (1 - elapsed) + count <= limit:
            return 0.0
        self.store.incr(current_key, -1)  # give the slot back
        if count > limit or previous == 0:
            return (1 - elapsed) * period_s  # this window is full: wait for the next one
        # When does the previous window's weight drop enough for one more call?
        needed = 1 - (limit - count) / previous
        return max((needed - elapsed) * period_s, 0.001)
