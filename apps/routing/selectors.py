"""Reads: the routes and connectors a router is built from, route maps, fits, evaluations.

The connector catalogue is read here (never written): enabled connectors and operations
become routes whose utterances are the operation's utterances, name and description.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet

from apps.routing.lexical import tokens
from apps.routing.models import RouteMap, RouterEvaluation, RouterFit
from apps.routing.params import DEFAULT_PARAMS, RouterParams
from apps.routing.routes import ConnectorInfo, Route, routes_from_map

__all__ = [
    "catalog_routes",
    "route_map_get",
    "route_map_list",
    "router_evaluation_latest",
    "router_params",
    "routing_sources",
]

_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def _first_sentences(text: str, limit: int = 2) -> list[str]:
    parts = [p.strip() for p in _SENTENCE.split(" ".join(text.split())) if len(p.strip()) > 5]
    return [p[:300] for p in parts[:limit]]


def catalog_routes() -> tuple[list[Route], dict[str, ConnectorInfo], dict[str, str]]:
    """Routes from the enabled catalogue: (routes, connector infos, HTTP method per route)."""
    from apps.connectors.models import Connector, ConnectorOperation

    infos: dict[str, ConnectorInfo] = {}
    for c in Connector.objects.filter(enabled=True).only(
        "slug", "name", "description", "utterances", "route_threshold"
    ):
        infos[c.slug] = ConnectorInfo(
            slug=c.slug,
            name=c.name,
            description=" ".join(_first_sentences(c.description, 1)),
            utterances=tuple(str(u) for u in (c.utterances or [])),
            threshold=c.route_threshold,
        )
    routes: list[Route] = []
    methods: dict[str, str] = {}
    ops = ConnectorOperation.objects.filter(enabled=True, connector__enabled=True).values_list(
        "connector__slug", "key", "name", "method", "description", "utterances"
    )
    for slug, key, name, method, description, utterances in ops.iterator(chunk_size=2000):
        texts: list[str] = []
        seen: set[str] = set()
        for text in [*(utterances or []), name, *_first_sentences(description or "")]:
            text = " ".join(str(text).split())
            # "Lists the drafts." and "list the drafts" are one utterance: a second vector
            # would cost an encode and add nothing.
            form = " ".join(tokens(text)) or text.lower()
            if text and form not in seen:
                seen.add(form)
                texts.append(text)
        route = Route(
            connector=slug,
            tool=key,
            name=key,
            utterances=tuple(texts),
            description=(description or name or "")[:500],
            source="catalog",
        )
        routes.append(route)
        methods[route.id] = method
    return routes, infos, methods


def routing_sources() -> tuple[list[Route], list[ConnectorInfo], dict[str, str]]:
    """Catalogue routes with imported route maps layered on top (same name: the map wins)."""
    routes, infos, methods = catalog_routes()
    by_id = {r.id: r for r in routes}
    for route_map in RouteMap.objects.all():
        data = route_map.data
        slug = data["connector"]
        base = infos.get(slug)
        infos[slug] = ConnectorInfo(
            slug=slug,
            name=data.get("name") or (base.name if base else ""),
            description=data.get("description") or (base.description if base else ""),
            utterances=tuple(data.get("utterances") or (base.utterances if base else ())),
            threshold=data.get("threshold", base.threshold if base else None),
        )
        for route in routes_from_map(data, source=f"route_map:{slug}"):
            by_id[route.id] = route
    return list(by_id.values()), list(infos.values()), methods


def route_map_list() -> QuerySet[RouteMap]:
    return RouteMap.objects.order_by("connector")


def route_map_get(*, connector: str) -> RouteMap | None:
    return RouteMap.objects.filter(connector=connector).first()


def router_params() -> RouterParams:
    fit = RouterFit.objects.order_by("-created_at", "-id").first()
    if fit is None:
        return DEFAULT_PARAMS
    return RouterParams.from_json(fit.params)


def router_evaluation_latest() -> RouterEvaluation | None:
    return RouterEvaluation.objects.order_by("-created_at", "-id").first()


def route_counts() -> dict[str, Any]:
    routes, infos, _ = routing_sources()
    return {"routes": len(routes), "connectors": len(infos)}


def connector_tools(*, connector: str, operations: Any = None) -> tuple[dict[str, Any], list]:
    """A catalogue connector's agent settings and its operations as LLM tools."""
    from apps.connectors.models import Connector
    from apps.routing.tools import tool_from_operation

    row = Connector.objects.filter(slug=connector).first()
    if row is None:
        return {"name": connector}, []
    info = {
        "name": row.name,
        "tool_role": row.tool_role,
        "tool_goal": row.tool_goal,
        "tool_backstory": row.tool_backstory,
    }
    ops = row.operations.filter(enabled=True).order_by("key")
    if operations:
        ops = ops.filter(key__in=list(operations))
    taken: set[str] = set()
    tools = [
        tool_from_operation(
            connector=connector,
            key=op.key,
            name=op.name,
            description=op.description,
            method=op.method,
            path=op.path,
            parameters_schema=op.parameters_schema,
            body_schema=op.body_schema,
            taken=taken,
        )
        for op in ops
    ]
    return info, tools
