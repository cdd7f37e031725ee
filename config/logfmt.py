"""Log formatters (JSON for production, plain lines for the console) and the filter that keeps
the platform's periodic tasks out of the console below DEBUG. No secrets by construction:
records carry ids and counts, never payloads."""

import json
import logging
import os
import re
from collections.abc import Iterable
from datetime import UTC, datetime

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
# Set by `make run`'s supervisor (config/supervisor.py) in each process it starts.
PROCESS = os.environ.get("FLOWPLANE_PROCESS", "")
# A webhook URL is its trigger's secret: lines keep the token's first 6 characters.
HOOK_TOKEN = re.compile(r"(/hooks/(?:test/)?[^/?\s'\"]{6})[^/?\s'\"]+")
_QUERY_VALUE = re.compile(r"([?&][^=&#\s'\"]*=)[^&#\s'\"]*")


def _extra(record: logging.LogRecord) -> dict:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
        }
        if PROCESS:
            payload["process"] = PROCESS
        payload.update(_extra(record))
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str)


class PlainFormatter(logging.Formatter):
    """`LEVEL logger: event key=value ...`, one line per record (tracebacks follow it).

    Under the supervisor, which puts the time and the process name in front of every line,
    the time is left out; elsewhere it leads the line.
    """

    def format(self, record: logging.LogRecord) -> str:
        parts = (
            [] if PROCESS else [datetime.fromtimestamp(record.created, UTC).strftime("%H:%M:%S")]
        )
        parts += [f"{record.levelname:<7}", f"{record.name}:", record.getMessage()]
        extra = _extra(record)
        if record.name.startswith("celery"):
            extra.pop("data", None)  # Celery repeats the message's arguments there
        for key, value in extra.items():
            text = value if isinstance(value, str) else json.dumps(value, default=str)
            parts.append(f"{key}={text}")
        line = " ".join(parts)
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class QuietTasks(logging.Filter):
    """Drop the INFO lines Celery writes for each run of the named tasks (beat's "Sending due
    task ... (name)", the worker's "Task name[id] received/succeeded ...")."""

    def __init__(self, names: Iterable[str] = (), enabled: bool = True) -> None:
        super().__init__()
        self.enabled = enabled
        self.prefixes = tuple(f"Task {name}[" for name in names)
        self.suffixes = tuple(f"({name})" for name in names)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.enabled or record.levelno > logging.INFO:
            return True
        if not record.name.startswith("celery"):
            return True
        message = record.getMessage()
        return not (message.startswith(self.prefixes) or message.endswith(self.suffixes))


def redact_url_text(text: str) -> str:
    """Every query value and the webhook tokens out of text that quotes a URL or a path."""
    return _QUERY_VALUE.sub(r"\1[Filtered]", HOOK_TOKEN.sub(r"\1...", text))


class RequestLines(logging.Filter):
    """Django's own request and security lines quote the request: the message names its path
    and the record's `request` prints as `<WSGIRequest: GET '/path?query'>`, whose query can
    carry a token (and a webhook's path is one). Both are rewritten before any handler prints
    them; the `request` becomes that redacted text."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith(("django.security", "django.request")):
            record.msg, record.args = redact_url_text(record.getMessage()), ()
            request = getattr(record, "request", None)
            if request is not None:  # a str when another handler's copy of this filter ran
                record.request = redact_url_text(
                    request if isinstance(request, str) else repr(request)
                )
        return True
