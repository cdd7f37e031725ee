"""Celery hooks: the worker's /metrics, metric files of exited pool children, their last
trace spans. (Ids reach the worker's log lines through LOGGING's `log_ids` filter: Celery logs
through Django's LOGGING, config/celery.py.)"""

from __future__ import annotations

import os
from typing import Any

from celery.signals import worker_init, worker_process_shutdown
from django.conf import settings


@worker_init.connect
def _serve_worker_metrics(**_: Any) -> None:
    """In the worker's main process, before the pool forks: WORKER_METRICS_PORT, if set."""
    if settings.WORKER_METRICS_PORT:
        from apps.observability.exposition import serve_worker_metrics

        serve_worker_metrics(settings.WORKER_METRICS_PORT)


@worker_process_shutdown.connect
def _metrics_process_gone(pid: int | None = None, **_: Any) -> None:
    from prometheus_client.multiprocess import mark_process_dead

    mark_process_dead(pid or os.getpid(), settings.PROMETHEUS_MULTIPROC_DIR)


@worker_process_shutdown.connect
def _send_last_spans(**_: Any) -> None:
    """A pool child exits without running atexit handlers: send its batched spans first."""
    from apps.observability.tracing import tracing_shutdown

    tracing_shutdown()
