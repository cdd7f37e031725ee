"""Reads for the Status page: each connected connector's calls over a range, each remote MCP
server's, and one connector's calls over time. Sums of ConnectorCallBucket rows
(apps/connectors/call_metrics.py), always for one workspace; the caller has checked the
workspace's membership."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Trunc

from apps.connectors.call_metrics import MCP_PREFIX
from apps.connectors.models import (
    LATENCY_BOUNDS_MS,
    LATENCY_FIELDS,
    Connector,
    ConnectorCallBucket,
)
from apps.connectors.usage import Connection, connections

SUMMED = ("calls", "failures", "rate_limited", "latency_ms_total", *LATENCY_FIELDS)


@dataclass(frozen=True)
class CallFigures:
    """Calls over a range: counts, error rate (failures and 429s over calls), latencies."""

    calls: int = 0
    failures: int = 0
    rate_limited: int = 0
    avg_ms: int | None = None
    p95_ms: int | None = None

    @property
    def error_rate(self) -> float | None:
        if not self.calls:
            return None
        return round((self.failures + self.rate_limited) / self.calls, 4)


@dataclass(frozen=True)
class ConnectorStatus:
    connector: Connector
    figures: CallFigures
    last_success_at: datetime | None
    last_failure_at: datetime | None
    last_error: str
    connections: list[Connection] = field(default_factory=list)


def percentile_ms(histogram: Sequence[int], max_ms: int, q: float = 0.95) -> int | None:
    """The ``q`` quantile of calls counted in the fixed latency buckets, interpolated
    linearly inside the bucket it falls in (the open last bucket ends at ``max_ms``)."""
    total = sum(histogram)
    if total == 0:
        return None
    rank = max(math.ceil(q * total), 1)
    seen = 0
    for index, count in enumerate(histogram):
        if count and seen + count >= rank:
            lower = LATENCY_BOUNDS_MS[index - 1] if index else 0
            upper = LATENCY_BOUNDS_MS[index] if index < len(LATENCY_BOUNDS_MS) else max_ms
            upper = min(upper, max_ms) if max_ms else upper
            lower = min(lower, upper)
            return round(lower + (upper - lower) * (rank - seen) / count)
        seen += count
    return max_ms  # pragma: no cover  (the loop always reaches the rank)


def _figures(row: Mapping[str, Any]) -> CallFigures:
    calls = int(row.get("calls") or 0)
    if not calls:
        return CallFigures()
    histogram = [int(row.get(f) or 0) for f in LATENCY_FIELDS]
    return CallFigures(
        calls=calls,
        failures=int(row.get("failures") or 0),
        rate_limited=int(row.get("rate_limited") or 0),
        avg_ms=round(int(row.get("latency_ms_total") or 0) / calls),
        p95_ms=percentile_ms(histogram, int(row.get("latency_ms_max") or 0)),
    )


def _sums() -> dict[str, Any]:
    return {name: Sum(name) for name in SUMMED} | {"latency_ms_max": Max("latency_ms_max")}


def connector_status_list(
    *, workspace_id: Any, start: datetime, end: datetime
) -> list[ConnectorStatus]:
    """Every connector the workspace holds a credential for or called in the range, by name:
    the range's figures, the latest success and failure ever, and its credentials."""
    in_range = ConnectorCallBucket.objects.filter(
        workspace_id=workspace_id, bucket__gte=start, bucket__lt=end
    )
    figures = {
        row["connector"]: _figures(row)
        for row in in_range.order_by().values("connector").annotate(**_sums())
    }
    held = connections(workspace_id)
    buckets = ConnectorCallBucket.objects.filter(
        workspace_id=workspace_id, connector=OuterRef("slug")
    ).order_by()
    latest_failure = buckets.filter(last_failure_at__isnull=False).order_by("-last_failure_at")
    rows = (
        Connector.objects.filter(Q(pk__in=list(held)) | Q(slug__in=list(figures)))
        .annotate(
            last_success=Subquery(
                buckets.values("connector").annotate(at=Max("last_success_at")).values("at")
            ),
            last_failure=Subquery(latest_failure.values("last_failure_at")[:1]),
            last_error_text=Subquery(latest_failure.values("last_error")[:1]),
        )
        .order_by("name", "slug")
    )
    return [
        ConnectorStatus(
            connector=row,
            figures=figures.get(row.slug, CallFigures()),
            last_success_at=row.last_success,
            last_failure_at=row.last_failure,
            last_error=row.last_error_text or "",
            connections=held.get(row.pk, []),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class McpServerStatus:
    server: str  # host:port, as the outbound policies name the target
    figures: CallFigures
    last_success_at: datetime | None
    last_failure_at: datetime | None
    last_error: str


def mcp_server_status_list(
    *, workspace_id: Any, start: datetime, end: datetime
) -> list[McpServerStatus]:
    """Every remote MCP server the workspace's runs called in the range (MCP Client blocks
    and agents), by address: the range's figures, the latest success and failure ever."""
    rows = ConnectorCallBucket.objects.filter(
        workspace_id=workspace_id, connector__startswith=MCP_PREFIX
    ).order_by()
    figures = {
        row["connector"]: _figures(row)
        for row in rows.filter(bucket__gte=start, bucket__lt=end)
        .values("connector")
        .annotate(**_sums())
    }
    latest_failure = rows.filter(
        connector=OuterRef("connector"), last_failure_at__isnull=False
    ).order_by("-last_failure_at")
    last = {
        row["connector"]: row
        for row in rows.filter(connector__in=list(figures))
        .values("connector")
        .annotate(
            success=Max("last_success_at"),
            failure=Max("last_failure_at"),
            error=Subquery(latest_failure.values("last_error")[:1]),
        )
    }
    return [
        McpServerStatus(
            server=key.removeprefix(MCP_PREFIX),
            figures=figures[key],
            last_success_at=last[key]["success"],
            last_failure_at=last[key]["failure"],
            last_error=last[key]["error"] or "",
        )
        for key in sorted(figures)
    ]


STEPS: tuple[tuple[timedelta, str, timedelta], ...] = (
    # (longest range, step name, step): at most ~180 points in a chart.
    (timedelta(hours=3), "minute", timedelta(minutes=1)),
    (timedelta(days=7), "hour", timedelta(hours=1)),
    (timedelta(days=366), "day", timedelta(days=1)),
)


def series_step(start: datetime, end: datetime) -> tuple[str, timedelta]:
    span = end - start
    for longest, name, step in STEPS:
        if span <= longest:
            return name, step
    return STEPS[-1][1], STEPS[-1][2]


def _floor(moment: datetime, name: str) -> datetime:
    moment = moment.replace(second=0, microsecond=0)
    if name in ("hour", "day"):
        moment = moment.replace(minute=0)
    if name == "day":
        moment = moment.replace(hour=0)
    return moment


@dataclass(frozen=True)
class SeriesPoint:
    at: datetime
    figures: CallFigures


@dataclass(frozen=True)
class RecentFailure:
    """A minute with failed calls: how many and the last error of that minute."""

    at: datetime
    failures: int
    rate_limited: int
    error: str


def connector_status_series(
    *, workspace_id: Any, connector: str, start: datetime, end: datetime
) -> tuple[str, list[SeriesPoint], list[RecentFailure]]:
    """One connector's calls per step over the range (every step present, zeros included)
    and its latest minutes with failures (at most 20, newest first)."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)  # steps are UTC hours and days
    name, step = series_step(start, end)
    rows = ConnectorCallBucket.objects.filter(
        workspace_id=workspace_id, connector=connector, bucket__gte=start, bucket__lt=end
    )
    grouped = rows.order_by().annotate(at=Trunc("bucket", name)).values("at").annotate(**_sums())
    by_time = {_floor(row["at"], name): _figures(row) for row in grouped}
    points: list[SeriesPoint] = []
    moment = _floor(start, name)
    while moment < end:
        points.append(SeriesPoint(at=moment, figures=by_time.get(moment, CallFigures())))
        moment += step
    failing = rows.filter(Q(failures__gt=0) | Q(rate_limited__gt=0)).order_by("-bucket")[:20]
    recent = [
        RecentFailure(
            at=row.last_failure_at or row.bucket,
            failures=row.failures,
            rate_limited=row.rate_limited,
            error=row.last_error,
        )
        for row in failing
    ]
    return name, points, recent
