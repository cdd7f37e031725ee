"""Leases of the executions a worker process is running, renewed by one shared thread.

A claim gives the execution a lease (`lease_owner`, `lease_expires_at`). While the process
lives, this thread extends every lease it holds with one UPDATE every third of the lease, so
only a dead worker's lease runs out (and the sweep then hands the execution to another).
One thread per process, not one per run: starting a thread per execution costs more than a
short run itself.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from apps.workflows.models import Execution

logger = logging.getLogger(__name__)


class _LeaseKeeper:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: set[str] = set()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def hold(self, owner: str) -> None:
        with self._lock:
            self._held.add(owner)
            if self._pid != os.getpid() or self._thread is None or not self._thread.is_alive():
                self._pid = os.getpid()
                self._thread = threading.Thread(
                    target=self._renew_forever, daemon=True, name="execution-leases"
                )
                self._thread.start()

    def release(self, owner: str) -> None:
        with self._lock:
            self._held.discard(owner)

    def _renew_forever(self) -> None:
        lease = settings.EXECUTION_LEASE_SECONDS
        while True:
            time.sleep(lease / 3)
            with self._lock:
                owners = list(self._held)
            if not owners:
                continue
            try:
                Execution.objects.filter(lease_owner__in=owners).update(
                    lease_expires_at=timezone.now() + timedelta(seconds=lease)
                )
            except Exception:  # the database is away: try again next beat
                logger.warning("execution.lease_renew_failed", exc_info=True)
            finally:
                # This thread's own connection: one beat every few seconds needs no open
                # session, and an idle one would hold the database for nothing.
                connection.close()


lease_keeper = _LeaseKeeper()
