"""Fixed-window counters on the shared cache, for rate limits every process must agree on
(webhooks per trigger, the API per token and per workspace). With Redis away a window
counts nothing: the limit is not enforced until it is back (config/cache.py says why)."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache

from config.cache import UNREACHABLE, cache_unavailable

_redis_clients: dict[int, Any] = {}


def window_count(key: str, ttl: int) -> int:
    """Increment a counter that expires with its window: one round trip on Redis."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    backend = caches["default"]
    if isinstance(backend, RedisCache):
        full = backend.make_and_validate_key(key)
        # One client per process and backend: building one per call (as the cache API
        # does) costs more than the round trip. Clients are thread-safe over their pool.
        client = _redis_clients.get(id(backend._cache))
        if client is None:
            client = _redis_clients.setdefault(
                id(backend._cache), backend._cache.get_client(write=True)
            )
        pipe = client.pipeline(transaction=False)
        pipe.incr(full)
        pipe.expire(full, ttl, nx=True)
        try:
            return int(pipe.execute()[0])
        except UNREACHABLE as exc:  # fail open, as the whole cache does (config/cache.py)
            cache_unavailable("window_count", exc)
            return 0
    cache.add(key, 0, timeout=ttl)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: this request opens the window
        cache.add(key, 1, timeout=ttl)
        return 1
