"""Wake-up hints for the workers, sent off the request path.

Accepting a run only writes rows; on commit it calls `executions_queued()`, which sets a flag
for this process's dispatcher thread. The thread sends one `workflows.drain` message, then
waits `EXECUTION_WAKE_INTERVAL_SECONDS` before it sends another, so a burst of a thousand
accepted runs costs a handful of messages and no request ever waits on the broker (also when
the broker is down: the thread retries with back-off and the sweep sends hints too). A hint
carries no execution id: the drain it starts claims whatever is queued, so a lost hint loses
nothing and a duplicate finds nothing to do.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from django.conf import settings

logger = logging.getLogger(__name__)

_MAX_BACKOFF_S = 30.0


def drain_send(*, count: int = 1) -> bool:
    """Send `count` drain hints now; False (logged) when the broker cannot be reached."""
    from apps.workflows.tasks import drain_executions_task

    try:
        for _ in range(count):
            drain_executions_task.apply_async(retry=False)
    except Exception:  # the broker is transport: the rows wait for the next hint or sweep
        logger.warning("execution.dispatch_failed", exc_info=True)
        return False
    return True


class _Dispatcher:
    """One daemon thread per process that turns many `wanted()` calls into few hints."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wanted = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def wanted(self) -> None:
        if self._pid != os.getpid() or self._thread is None or not self._thread.is_alive():
            self._start()
        self._wanted.set()

    def _start(self) -> None:
        with self._lock:
            if self._pid == os.getpid() and self._thread is not None and self._thread.is_alive():
                return
            # A forked child inherits the parent's objects but not its thread: start anew.
            self._pid, self._wanted = os.getpid(), threading.Event()
            self._thread = threading.Thread(
                target=self._loop, name="execution-dispatch", daemon=True
            )
            self._thread.start()

    def _loop(self) -> None:
        interval = settings.EXECUTION_WAKE_INTERVAL_SECONDS
        failures = 0
        while True:
            self._wanted.wait()
            self._wanted.clear()
            if drain_send():
                failures = 0
                time.sleep(interval)  # hints wanted meanwhile are folded into the next one
                continue
            failures += 1
            self._wanted.set()
            time.sleep(min(_MAX_BACKOFF_S, interval * 2**failures))


_dispatcher = _Dispatcher()


def executions_queued() -> None:
    """Queued executions were committed: make sure a worker will look soon."""
    _dispatcher.wanted()
