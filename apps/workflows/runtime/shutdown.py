"""A worker's warm shutdown, seen by the drains of its pool processes.

SIGTERM reaches the worker's main process only; its prefork children, which run the drains,
are not told, and a drain would go on claiming queued runs until its budget ran out. One
shared byte, mapped before the pool forks, carries the news: the main process sets it when
Celery starts shutting down, and a drain looks at it before every claim, so a stopping
worker finishes the runs it holds and claims no more.
"""

from __future__ import annotations

import mmap
from typing import Any

from celery.signals import worker_shutting_down

# MAP_SHARED | MAP_ANONYMOUS (mmap's default for -1): children forked later share the page.
_flag = mmap.mmap(-1, 1)


def shutting_down() -> bool:
    """True once this worker (or, in a pool child, its main process) began to shut down."""
    return _flag[0] == 1


@worker_shutting_down.connect(weak=False)
def _mark(**kwargs: Any) -> None:
    _flag[0] = 1
