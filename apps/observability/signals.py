"""Celery hooks: ids on the worker's log lines, the worker's /metrics, metric files of
exited pool children."""

from __future__ import annotations

import logging
import os
from typing import Any

from celery.signals import (
    after_setup_logger,
    after_setup_task_logger,
    worker_init,
    worker_process_shutdown,
)
from django.conf import settings

from apps.observability.context import install_log_filter


@after_setup_logger.connect
@after_setup_task_logger.connect
def _log_ids_on_celery_handlers(logger: logging.Logger, **_: Any) -> None:
    install_log_filter(logger)


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
