"""The key-value port: shared state for breakers, rate windows, result caches and metrics.

That state must be seen by every worker (docs/ARCHITECTURE.md, Execution), so the engine and
the outbound client keep it behind ``KeyValueStore``: the subset of Django's cache API they
need. The Django side passes ``django.core.cache.cache`` (Redis in production, the local cache
on the embedded default); ``InMemoryStore`` serves tests and single-process use.

Semantics follow Django's cache: ``timeout=None`` keeps a key forever, ``timeout<=0`` expires
it at once, ``add`` only sets a missing key and says whether it did, ``incr`` raises
``ValueError`` for a missing key.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

__all__ = ["InMemoryStore", "KeyValueStore", "counter_incr"]


@runtime_checkable
class KeyValueStore(Protocol):
    def get(self, key: str, default: Any = None) -> Any: ...

    def set(self, key: str, value: Any, timeout: float | None = ...) -> Any: ...

    def add(self, key: str, value: Any, timeout: float | None = ...) -> bool: ...

    def incr(self, key: str, delta: int = 1) -> int: ...

    def delete(self, key: str) -> Any: ...


_DEFAULT = object()


class InMemoryStore:
    """A thread-safe, process-local ``KeyValueStore`` with Django cache semantics."""

    def __init__(
        self, *, default_timeout: float | None = 300.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._data: dict[str, tuple[Any, float | None]] = {}
        self._lock = threading.Lock()
        self._default_timeout = default_timeout
        self._clock = clock

    def _expiry(self, timeout: Any) -> float | None:
        if timeout is _DEFAULT or timeout is Ellipsis:
            timeout = self._default_timeout
        if timeout is None:
            return None
        return self._clock() + float(timeout)

    def _live(self, key: str) -> tuple[Any, float | None] | None:
        item = self._data.get(key)
        if item is None:
            return None
        if item[1] is not None and item[1] <= self._clock():
            del self._data[key]
            return None
        return item

    def get(self, key: str, default: Any = None) -> Any:
        with self._lock:
            item = self._live(key)
            return default if item is None else item[0]

    def set(self, key: str, value: Any, timeout: Any = _DEFAULT) -> None:
        with self._lock:
            self._data[key] = (value, self._expiry(timeout))

    def add(self, key: str, value: Any, timeout: Any = _DEFAULT) -> bool:
        with self._lock:
            if self._live(key) is not None:
                return False
            self._data[key] = (value, self._expiry(timeout))
            return True

    def incr(self, key: str, delta: int = 1) -> int:
        with self._lock:
            item = self._live(key)
            if item is None:
                raise ValueError(f"Key '{key}' not found")
            value = int(item[0]) + delta
            self._data[key] = (value, item[1])
            return value

    def delete(self, key: str) -> bool:
        with self._lock:
            return self._data.pop(key, None) is not None

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


def counter_incr(store: KeyValueStore, key: str, timeout: float | None) -> int:
    """Increment a counter that may not exist yet: ``add`` then ``incr`` (atomic on Redis)."""
    store.add(key, 0, timeout)
    try:
        return int(store.incr(key))
    except ValueError:  # expired between add and incr
        store.add(key, 0, timeout)
        return int(store.incr(key))
