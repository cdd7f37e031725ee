"""Reads of the connector catalogue. Staff see every connector; everyone else enabled ones."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from apps.connectors import usage
from apps.connectors.models import Connector, ConnectorOperation
from apps.connectors.outbound import BreakerPolicy, RateLimitPolicy, RetryPolicy, TargetPolicy


def _sees_disabled(user: Any) -> bool:
    return bool(getattr(user, "is_staff", False))


def connector_list(
    *,
    user: Any,
    search: str | None = None,
    category: str | None = None,
    workspace_id: Any = None,
) -> QuerySet[Connector]:
    """Catalogue rows visible to ``user``, with their (visible) operation count, popularity
    (workflows and credentials using each, all in SQL) and whether ``workspace_id`` (already
    checked to be the caller's) is connected to each; never connected without a workspace."""
    staff = _sees_disabled(user)
    queryset = Connector.objects.all()
    if not staff:
        queryset = queryset.filter(enabled=True)
    if category:
        queryset = queryset.filter(category=category)
    if search:
        queryset = queryset.filter(
            Q(name__icontains=search) | Q(slug__icontains=search) | Q(description__icontains=search)
        ).annotate(
            search_rank=Case(  # "sla": Slack before the translators that mention it
                When(name__istartswith=search, then=0),
                When(name__icontains=search, then=1),
                When(slug__icontains=search, then=1),
                default=2,
                output_field=IntegerField(),
            )
        )
    # Subqueries, not a join and GROUP BY: every count here is per connector row.
    operations = ConnectorOperation.objects.filter(connector=OuterRef("pk"))
    if not staff:
        operations = operations.filter(enabled=True)
    operations_count = Coalesce(
        Subquery(operations.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")), 0
    )
    return (
        _with_usage(queryset, workspace_id=workspace_id)
        .annotate(operations_count=operations_count)
        .order_by("order", "name")
    )


def _with_usage(queryset: QuerySet[Connector], *, workspace_id: Any) -> QuerySet[Connector]:
    connected = usage.connected(workspace_id) if workspace_id is not None else Value(False)
    return queryset.annotate(
        popularity=usage.popularity(),
        connected=ExpressionWrapper(connected, output_field=BooleanField()),
    )


def connector_get(*, user: Any, slug: str, workspace_id: Any = None) -> Connector:
    """One visible connector with its visible operations prefetched, popularity and connected
    flag (as in ``connector_list``); DoesNotExist otherwise."""
    operations = ConnectorOperation.objects.order_by("key")
    queryset = Connector.objects.all()
    if not _sees_disabled(user):
        queryset = queryset.filter(enabled=True)
        operations = operations.filter(enabled=True)
    return (
        _with_usage(queryset, workspace_id=workspace_id)
        .prefetch_related(Prefetch("operations", queryset=operations))
        .get(slug=slug)
    )


def connector_operation_list(
    *, user: Any, slug: str, search: str | None = None
) -> QuerySet[ConnectorOperation]:
    """The visible operations of a visible connector by key, optionally searched in their key,
    name, path and description; Connector.DoesNotExist when the connector is not visible."""
    staff = _sees_disabled(user)
    connectors = Connector.objects.filter(slug=slug)
    if not staff:
        connectors = connectors.filter(enabled=True)
    connector_id = connectors.values_list("pk", flat=True).get()
    operations = ConnectorOperation.objects.filter(connector_id=connector_id)
    if not staff:
        operations = operations.filter(enabled=True)
    if search:
        operations = operations.filter(
            Q(key__icontains=search)
            | Q(name__icontains=search)
            | Q(path__icontains=search)
            | Q(description__icontains=search)
        )
    return operations.order_by("key")


def connector_operation_get(*, user: Any, slug: str, key: str) -> ConnectorOperation:
    """One visible operation of a visible connector; ConnectorOperation.DoesNotExist when
    either is missing or hidden from ``user``."""
    operations = ConnectorOperation.objects.filter(connector__slug=slug, key=key)
    if not _sees_disabled(user):
        operations = operations.filter(enabled=True, connector__enabled=True)
    return operations.get()


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


def policy_from(cls: type, data: Any) -> Any:
    """Build an outbound policy dataclass from the catalogue's JSON (unknown keys ignored)."""
    if not data:
        return None
    known = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in known})


def connector_operation_for_run(*, slug: str, key: str) -> dict[str, Any] | None:
    """What a workflow step needs to call an enabled operation of an enabled connector,
    including the connector's rate limit, retry and breaker as a TargetPolicy."""
    operation = (
        ConnectorOperation.objects.select_related("connector")
        .filter(connector__slug=slug, connector__enabled=True, key=key, enabled=True)
        .first()
    )
    if operation is None:
        return None
    connector = operation.connector
    target = TargetPolicy(
        key=f"connector:{connector.slug}",
        retry=policy_from(RetryPolicy, connector.retry_policy) or RetryPolicy(),
        rate_limit=policy_from(RateLimitPolicy, connector.rate_limit),
        breaker=policy_from(BreakerPolicy, connector.breaker_policy),
    )
    return {
        "method": operation.method,
        "path": operation.path,
        "base_url": connector.base_url,
        "parameters_schema": operation.parameters_schema,
        "body_schema": operation.body_schema,
        "body_content_type": operation.body_content_type or "application/json",
        "response_schema": operation.response_schema,
        "target": target,
    }


def connector_operation_schemas(
    *, slugs: set[str], wanted: set[tuple[str, str]]
) -> tuple[set[str], dict[tuple[str, str], dict[str, Any]]]:
    """For graph checks: those of ``slugs`` that name an enabled connector, and the parameter
    schema of each (slug, key) of ``wanted`` that names an enabled operation of one."""
    if not slugs:
        return set(), {}
    known = set(
        Connector.objects.filter(slug__in=slugs, enabled=True).values_list("slug", flat=True)
    )
    keys = {key for slug, key in wanted if slug in known}
    if not keys:
        return known, {}
    rows = ConnectorOperation.objects.filter(
        connector__slug__in=known, connector__enabled=True, enabled=True, key__in=keys
    ).values_list("connector__slug", "key", "parameters_schema")
    schemas = {(slug, key): schema for slug, key, schema in rows if (slug, key) in wanted}
    return known, schemas


def connector_slugs_needing_auth(*, slugs: set[str]) -> set[str]:
    """Those of `slugs` whose connector declares an auth scheme (its calls need a credential)."""
    if not slugs:
        return set()
    return set(
        Connector.objects.filter(slug__in=slugs)
        .exclude(auth_schemes=[])
        .values_list("slug", flat=True)
    )
