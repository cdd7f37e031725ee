"""gunicorn settings for `make run` (`gunicorn config.wsgi -c python:config.gunicorn`).

HOST/PORT: where to listen (127.0.0.1:8000). WEB_CONCURRENCY: worker processes (1: the
embedded default serves one machine; each holds ~100 MiB, ~30 MiB more once it has served
/mcp/). WEB_THREADS: threads per worker (gthread; 8; an MCP tool call holds one until its run
ends). One short access line per request goes to the console. `/mcp/` is served by the same
workers (config/wsgi.py; apps/workflows/README.md: MCP).
"""

import os
from typing import Any

from gunicorn.glogging import Logger

from config.env import metrics_dir
from config.logfmt import HOOK_TOKEN

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "1"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "8"))
timeout = 60
graceful_timeout = 10
keepalive = 5
accesslog = "-"
errorlog = "-"
loglevel = "info"
control_socket_disable = True  # no $HOME/.gunicorn/gunicorn.ctl shared between instances
# `POST /hooks/kEldtw... 202 99B 4ms 127.0.0.1` (no query string: it may carry a token)
access_log_format = "%(m)s %(U)s %(s)s %(B)sB %(M)sms %(h)s"


class AccessLogger(Logger):
    """A webhook URL is its trigger's secret: access lines keep its first 6 characters."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("U", "r"):
            if isinstance(atoms.get(key), str):
                atoms[key] = HOOK_TOKEN.sub(r"\1...", atoms[key])
        return atoms


logger_class = AccessLogger


def child_exit(server: Any, worker: Any) -> None:  # gunicorn's Arbiter and Worker
    """In the master, once a worker is gone (recycled, killed, crashed): merge its metric files
    into the folder's archives and delete them (apps/observability/compaction.py), so files
    do not pile up. Its live gauges end with it; its counters and histograms keep counting."""
    from apps.observability.compaction import compact

    compact(metrics_dir(), [worker.pid])
