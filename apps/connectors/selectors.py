"""Reads of the connector catalogue. Staff see every connector; everyone else enabled ones."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from apps.connectors.models import Connector, ConnectorOperation


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
