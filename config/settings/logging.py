"""Logs: dotted event names, ids as fields, never secret payloads.

``LOG_FORMAT``: ``json`` (one object per line, for production log pipelines; the default
everywhere but the embedded default) or ``plain`` (readable lines; `make run`'s console).
``LOG_LEVEL``: the root level. Below DEBUG, the per-task lines of the platform's periodic
and wake-up tasks (``LOG_QUIET_TASKS``: beat's "Sending due task", the worker's
"received"/"succeeded") are dropped, so the console shows requests and finished runs rather
than a tick every second; their warnings and errors always show.
"""

from typing import Any

from config.env import env

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOG_QUIET_TASKS = env.list(
    "LOG_QUIET_TASKS",
    default=[
        "triggers.tick",
        "triggers.tick_helper",
        "housekeeping.sweep_executions",
        "housekeeping.rollup_monitoring",
        "workflows.drain",
        "workflows.wake",
    ],
)


def logging_config(fmt: str, level: str) -> dict[str, Any]:
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": "config.logfmt.JsonFormatter"},
            "plain": {"()": "config.logfmt.PlainFormatter"},
        },
        "filters": {
            "quiet_tasks": {
                "()": "config.logfmt.QuietTasks",
                "names": LOG_QUIET_TASKS,
                "enabled": level != "DEBUG",
            },
            # request, execution and node ids bound while the line is logged
            "log_ids": {"()": "apps.observability.context.LogIdsFilter"},
            # query values and webhook tokens out of Django's request lines
            "request_lines": {"()": "config.logfmt.RequestLines"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "plain" if fmt == "plain" else "json",
                "filters": ["quiet_tasks", "log_ids", "request_lines"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            # Django's own console handler (DEBUG only) would print every record twice.
            "django": {"handlers": [], "level": "INFO", "propagate": True},
            # 4xx answers are in the web server's access line; errors still log here.
            "django.request": {"level": "ERROR"},
            # The MCP SDK logs "Terminating session" after every stateless request; the
            # access line already has each one.
            "mcp.server.streamable_http": {"level": "WARNING"},
        },
    }


LOGGING = logging_config(LOG_FORMAT, LOG_LEVEL)
