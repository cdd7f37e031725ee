"""The shared cache on Redis, failing open when Redis is away.

What the cache holds is advisory: circuit breakers, rate-limit windows, result caches,
throttle counters, audit gates. The database holds every accepted run. Failing closed would
turn a cache outage into a full one (every webhook refused, every run with a breaker or a
rate limit failed), so while Redis cannot be reached each operation answers as an empty
cache does: reads miss, writes are dropped, ``add`` succeeds, ``incr`` counts from 0. Limits
are then not enforced and breakers stay closed; each call keeps its own timeout and retry
bound. Nothing that must be exclusive is built on this cache (the OAuth refresh takes a
row lock). One ``cache.unavailable`` warning per process every ten seconds says so.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("flowplane.cache")
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
_LOG_EVERY_S = 10.0
T = TypeVar("T")
_last_logged: float | None = None


def cache_unavailable(operation: str, exc: BaseException) -> None:
    """Log that the cache is away, at most once per interval (a flood of calls would
    otherwise log a line each)."""
    global _last_logged
    now = time.monotonic()
    if _last_logged is None or now - _last_logged >= _LOG_EVERY_S:
        _last_logged = now
        logger.warning(
            "cache.unavailable",
            extra={
                "operation": operation,
                "error": f"{type(exc).__name__}: {exc}",
                "effect": "failing open: limits and breakers not enforced until Redis is back",
            },
        )


class FailOpenRedisCache(RedisCache):
    def _open(self, operation: str, call: Callable[[], T], empty: T) -> T:
        try:
            return call()
        except UNREACHABLE as exc:
            cache_unavailable(operation, exc)
            return empty

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._open("get", lambda: RedisCache.get(self, key, default, version), default)

    def get_many(self, keys: Any, version: Any = None) -> dict[Any, Any]:
        return self._open("get_many", lambda: RedisCache.get_many(self, keys, version), {})

    def has_key(self, key: Any, version: Any = None) -> bool:
        return self._open("has_key", lambda: RedisCache.has_key(self, key, version), False)

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        self._open("set", lambda: RedisCache.set(self, key, value, timeout, version), None)

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> list[Any]:
        return self._open("set_many", lambda: RedisCache.set_many(self, data, timeout, version), [])

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        return self._open("add", lambda: RedisCache.add(self, key, value, timeout, version), True)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._open("touch", lambda: RedisCache.touch(self, key, timeout, version), False)

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        # As a counter just added at 0 (``add`` succeeded): every window looks fresh.
        return self._open("incr", lambda: RedisCache.incr(self, key, delta, version), delta)

    def delete(self, key: Any, version: Any = None) -> bool:
        return self._open("delete", lambda: RedisCache.delete(self, key, version), False)

    def delete_many(self, keys: Any, version: Any = None) -> None:
        self._open("delete_many", lambda: RedisCache.delete_many(self, keys, version), None)
