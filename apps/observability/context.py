"""Ids that every log line carries while they are bound: request, execution, node.

Plain Python (the engine binds the node id), no Django. `LogIdsFilter`, a filter of the
console handler in LOGGING (config/settings/logging.py), copies the bound ids onto each
record. Threads do not inherit the ids: code that hands work to a
thread binds them again there (the engine does, per step).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType

# Immutable: every bind makes a new mapping, so a context never changes under another.
_ids: ContextVar[Mapping[str, str]] = ContextVar("flowplane_log_ids", default=MappingProxyType({}))


@contextmanager
def log_ids(**ids: str) -> Iterator[None]:
    """Bind `ids` (request_id, execution_id, node_id) to the log lines of the block."""
    token = _ids.set(MappingProxyType({**_ids.get(), **ids}))
    try:
        yield
    finally:
        _ids.reset(token)


def current_ids() -> Mapping[str, str]:
    return _ids.get()


class LogIdsFilter(logging.Filter):
    """Copies the bound ids onto each record a handler emits; fields a call passes itself
    (`extra=`) win. A handler filter rather than a record factory: `extra=` refuses to
    overwrite an attribute the factory would already have set."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in _ids.get().items():
            if name not in record.__dict__:
                setattr(record, name, value)
        return True
