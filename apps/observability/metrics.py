"""The platform's Prometheus metrics, multiprocess-safe (gunicorn workers, Celery children).

Every process writes its samples to files under ``PROMETHEUS_MULTIPROC_DIR`` (set by the
settings before this module is imported); ``/metrics`` adds them up (``exposition``).
Labels are bounded sets only: block types, connector slugs, modes, statuses, outcomes. Never
an id, a URL or a host (the HTTP block can call any host: its calls count as ``http``).
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

# Runs last from milliseconds to hours (waits are parked, not counted in a step).
_RUN_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600)
_CALL_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
_LATENESS_BUCKETS = (0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600)

BLOCK_DURATION = Histogram(
    "block_execution_duration_seconds",
    "Time a step of a block took, by its end.",
    ["block_type", "status"],
    buckets=_RUN_BUCKETS,
)
BLOCK_EXECUTIONS = Counter(
    "block_executions", "Finished steps by block type and status.", ["block_type", "status"]
)
WORKFLOW_DURATION = Histogram(
    "workflow_execution_duration_seconds",
    "From an execution's start to its end, by how it was started and how it ended.",
    ["mode", "status"],
    buckets=_RUN_BUCKETS,
)
API_CALL_DURATION = Histogram(
    "api_call_duration_seconds",
    "Outbound calls (all attempts of one call) by connector.",
    ["connector", "status_class"],
    buckets=_CALL_BUCKETS,
)
WEBHOOK_DELIVERIES = Counter("webhook_deliveries", "Webhook requests by outcome.", ["outcome"])
SCHEDULE_LATENESS = Histogram(
    "schedule_lateness_seconds",
    "How long after its scheduled time a cron fire was queued.",
    buckets=_LATENESS_BUCKETS,
)
HTTP_REQUESTS = Histogram(
    "http_request_duration_seconds",
    "Requests served, by route and status class.",
    ["method", "view", "status_class"],
    buckets=_CALL_BUCKETS,
)

WEBHOOK_OUTCOMES = frozenset(
    {
        "accepted",
        "duplicate",
        "rejected_signature",
        "rejected_header",
        "rate_limited",
        "too_large",
        "invalid",
        "not_found",
        "disabled",
    }
)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def status_class(status: int | None) -> str:
    """ "2xx".."5xx", or "error" when there was no HTTP answer at all."""
    return f"{status // 100}xx" if status and 100 <= status < 600 else "error"


def block_finished(*, block_type: str, status: str, seconds: float) -> None:
    BLOCK_DURATION.labels(block_type, status).observe(max(seconds, 0.0))
    BLOCK_EXECUTIONS.labels(block_type, status).inc()


def workflow_finished(*, mode: str, status: str, seconds: float) -> None:
    WORKFLOW_DURATION.labels(mode, status).observe(max(seconds, 0.0))


def api_call_finished(*, target_key: str | None, status: int | None, seconds: float) -> None:
    """`target_key` is the outbound target policy's key: ``connector:<slug>`` for catalogue
    connectors (an admin-curated, bounded set); anything else counts as ``http``."""
    API_CALL_DURATION.labels(connector_of(target_key), status_class(status)).observe(
        max(seconds, 0.0)
    )


def connector_of(target_key: str | None) -> str:
    """A catalogue connector's slug from an outbound target key, ``mcp`` for a remote MCP
    server (one label for all: their hosts are unbounded), else ``http``."""
    if target_key and target_key.startswith("connector:"):
        return target_key.removeprefix("connector:")[:64]
    if target_key and target_key.startswith("mcp:"):
        return "mcp"
    return "http"


def webhook_delivery(outcome: str) -> None:
    WEBHOOK_DELIVERIES.labels(outcome if outcome in WEBHOOK_OUTCOMES else "invalid").inc()


def schedule_fired(*, lateness_seconds: float) -> None:
    SCHEDULE_LATENESS.observe(max(lateness_seconds, 0.0))


def http_request_served(*, method: str, view: str, status: int, seconds: float) -> None:
    HTTP_REQUESTS.labels(
        method if method in _METHODS else "other", view, status_class(status)
    ).observe(seconds)
