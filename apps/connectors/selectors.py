"""Reads of the connector catalogue. Staff see every connector; everyone else enabled ones."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from apps.connectors.models import Connector, ConnectorOperation
from apps.connectors.outbound import BreakerPolicy, RateLimitPolicy, RetryPolicy, TargetPolicy


def _sees_disabled(user: Any) -> bool:
    return bool(getattr(user, "is_staff", False))


def connector_list(
    *, user: Any, search: str | None = None, category: str | None = None
) -> QuerySet[Connector]:
    """Catalogue rows visible to ``user``, with their (visible) operation count."""
    staff = _sees_disabled(user)
    queryset = Connector.objects.all()
    if not staff:
        queryset = queryset.filter(enabled=True)
    if category:
        queryset = queryset.filter(category=category)
    if search:
        queryset = queryset.filter(
            Q(name__icontains=search) | Q(slug__icontains=search) | Q(description__icontains=search)
        )
    count_filter = None if staff else Q(operations__enabled=True)
    return queryset.annotate(operations_count=Count("operations", filter=count_filter)).order_by(
        "order", "name"
    )


def connector_get(*, user: Any, slug: str) -> Connector:
    """One visible connector with its visible operations prefetched; DoesNotExist otherwise."""
    operations = ConnectorOperation.objects.order_by("key")
    queryset = Connector.objects.all()
    if not _sees_disabled(user):
        queryset = queryset.filter(enabled=True)
        operations = operations.filter(enabled=True)
    return queryset.prefetch_related(Prefetch("operations", queryset=operations)).get(slug=slug)


def connector_category_counts(*, user: Any) -> list[dict[str, Any]]:
    """Every category with its label and how many visible connectors it has (zero included)."""
    queryset = Connector.objects.all()
    if not _sees_disabled(user):
        queryset = queryset.filter(enabled=True)
    rows = queryset.order_by().values("category").annotate(n=Count("id"))
    counts = {row["category"]: row["n"] for row in rows}
    return [
        {"value": value, "label": str(label), "count": counts.get(value, 0)}
        for value, label in Connector.Category.choices
    ]


def _policy(cls: type, data: Any) -> Any:
    """Build an outbound policy dataclass from the catalogue's JSON (unknown keys ignored)."""
    if not data:
        return None
    known = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in known})


def connector_operation_for_run(*, slug: str, key: str) -> dict[str, Any] | None:
    """What a workflow step needs to call an enabled operation of an enabled connector,
    including the connector's rate limit, retry and breaker as a TargetPolicy."""
    operation = (ConnectorOperation.objects.select_related("connector")
                 .filter(connector__slug=slug, connector__enabled=True, key=key, enabled=True)
                 .first())
    if operation is None:
        return None
    connector = operation.connector
    target = TargetPolicy(
        key=f"connector:{connector.slug}",
        retry=_policy(RetryPolicy, connector.retry_policy) or RetryPolicy(),
        rate_limit=_policy(RateLimitPolicy, connector.rate_limit),
        breaker=_policy(BreakerPolicy, connector.breaker_policy))
    return {
        "method": operation.method, "path": operation.path, "base_url": connector.base_url,
        "parameters_schema": operation.parameters_schema, "body_schema": operation.body_schema,
        "body_content_type": operation.body_content_type or "application/json",
        "target": target,
    }
