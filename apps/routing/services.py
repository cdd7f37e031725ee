"""Writes and the process-wide router: route-map import/delete, fits, evaluations, routing.

The router is built once per process and rebuilt only when what it depends on changed:
writes here and catalogue saves bump a version in the shared cache, and every
``ROUTING_RECHECK_SECONDS`` the fingerprint of the sources is recomputed anyway (bulk
catalogue updates send no signals). A rebuild with unchanged texts loads every vector from
the database and encodes nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from typing import Any, cast

from django.core.cache import cache
from django.db import transaction

from apps.routing import selectors
from apps.routing.encoders import get_encoder
from apps.routing.exceptions import InvalidRouteMap, RouterUnavailable
from apps.routing.models import RouteMap, RouterEvaluation, RouterFit
from apps.routing.params import RouterParams
from apps.routing.prior import WorkspacePrior
from apps.routing.router import Decision, RouteIndex, Router
from apps.routing.routes import RouteMapError, parse_route_maps, routes_fingerprint
from apps.routing.vectors import TooManyMissing, vectors_for

__all__ = [
    "route_map_delete",
    "route_map_import",
    "route_query",
    "router_evaluation_record",
    "router_fit_record",
    "router_get",
    "routing_changed",
]

logger = logging.getLogger("apps.routing.services")
VERSION_KEY = "routing:version"
RECHECK_SECONDS = 30.0

_lock = threading.Lock()
_state: dict[str, Any] = {"router": None, "fingerprint": None, "version": None, "checked": 0.0}


def routing_changed() -> None:
    """Tell every process that routes, connectors or fits changed (cheap; safe to repeat)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, int(time.time() * 1000), timeout=None)


def _version() -> Any:
    try:
        return cache.get(VERSION_KEY)
    except Exception:  # a cache outage must not stop routing; the recheck timer still runs
        logger.warning("routing.version_unreadable")
        return None


def _build(*, max_missing: int | None = None) -> tuple[Router, str]:
    from apps.routing.llm import llm_from_settings

    encoder = get_encoder()
    routes, connectors, methods = selectors.routing_sources()
    params = selectors.router_params()
    fingerprint = routes_fingerprint(
        sorted(routes, key=lambda r: r.id),
        sorted(connectors, key=lambda c: c.slug),
        encoder.key,
        extra=[params.to_json(), sorted(methods.items())],
    )
    current = _state["router"]
    if current is not None and _state["fingerprint"] == fingerprint:
        return current, fingerprint
    started = time.perf_counter()
    index = RouteIndex(
        routes,
        connectors,
        lambda texts: vectors_for(encoder.inner, texts, max_missing=max_missing),
        methods=methods,
    )
    router = Router(index, encoder, params, llm=llm_from_settings())
    logger.info(
        "routing.router_built",
        extra={
            "routes": len(index),
            "connectors": len(index.connectors),
            "ms": round((time.perf_counter() - started) * 1000, 1),
        },
    )
    return router, fingerprint


def router_get(*, force: bool = False, max_missing: int | None = None) -> Router:
    """The process-wide router, rebuilt when its sources changed.

    ``max_missing``: when more utterances than this lack a stored vector (a catalogue was
    just loaded), hand the encoding to a routing worker and raise RouterUnavailable rather
    than encode for minutes inside the caller (a web request).
    """
    version = _version()
    now = time.monotonic()
    state = _state
    if (
        not force
        and state["router"] is not None
        and version == state["version"]
        and now - state["checked"] < RECHECK_SECONDS
    ):
        return cast(Router, state["router"])
    with _lock:
        if (
            not force
            and state["router"] is not None
            and version == state["version"]
            and now - state["checked"] < RECHECK_SECONDS
        ):
            return cast(Router, state["router"])
        try:
            router, fingerprint = _build(max_missing=max_missing)
        except TooManyMissing as exc:
            _prepare_in_background()
            if state["router"] is not None:  # keep answering with the previous routes
                return cast(Router, state["router"])
            raise RouterUnavailable(
                f"The router is encoding {exc.missing} new utterances; try again in a few minutes."
            ) from None
        state.update(
            router=router, fingerprint=fingerprint, version=version, checked=time.monotonic()
        )
        return router


def router_reset() -> None:
    """Forget the process's router (tests; settings changes)."""
    with _lock:
        _state.update(router=None, fingerprint=None, version=None, checked=0.0)


def route_query(
    *,
    query: str,
    top_k: int = 5,
    connector: str | None = None,
    prior: WorkspacePrior | None = None,
) -> Decision:
    """Route one sentence to a connector operation, or to no route; ``prior``: the asking
    workspace's (workspace.py), which favours what it is connected to and already uses."""
    from apps.routing import conf

    router = router_get(max_missing=int(conf.get("ROUTING_MAX_INLINE_ENCODE")))
    return router.route(query, top_k=top_k, connector=connector, prior=prior)


def _prepare_in_background() -> None:
    """Queue one vector-encoding task (at most one per 10 minutes across processes)."""
    from apps.routing.tasks import prepare_vectors_task

    if cache.add("routing:prepare-queued", 1, timeout=600):
        try:
            prepare_vectors_task.delay()
        except Exception:  # the broker may be down; the next request tries again
            cache.delete("routing:prepare-queued")
            logger.warning("routing.prepare_not_queued")


def _hash(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def route_map_import(*, data: Any, source: str = "", user: Any = None) -> list[RouteMap]:
    """Create or replace the route map of each connector in ``data``; encodes new utterances."""
    try:
        maps = parse_route_maps(data)
    except RouteMapError as exc:
        raise InvalidRouteMap(str(exc), fields=exc.fields) from None
    saved = []
    with transaction.atomic():
        for item in maps:
            route_map, _ = RouteMap.objects.update_or_create(
                connector=item["connector"],
                defaults={
                    "data": item,
                    "content_hash": _hash(item),
                    "source": source[:500],
                    "imported_by": user if getattr(user, "pk", None) else None,
                },
            )
            saved.append(route_map)
        transaction.on_commit(routing_changed)
    return saved


def route_map_delete(*, connector: str) -> bool:
    with transaction.atomic():
        deleted, _ = RouteMap.objects.filter(connector=connector).delete()
        transaction.on_commit(routing_changed)
    return bool(deleted)


def router_fit_record(
    *, params: RouterParams, summary: dict[str, Any], dataset: str, user: Any = None
) -> RouterFit:
    with transaction.atomic():
        fit = RouterFit.objects.create(
            params=params.to_json(),
            summary=summary,
            dataset=dataset[:500],
            created_by=user if getattr(user, "pk", None) else None,
        )
        transaction.on_commit(routing_changed)
    return fit


def router_evaluation_record(
    *, summary: dict[str, Any], dataset: str, user: Any = None
) -> RouterEvaluation:
    return RouterEvaluation.objects.create(
        summary=summary,
        dataset=dataset[:500],
        created_by=user if getattr(user, "pk", None) else None,
    )


def router_warm() -> None:
    """Build the router now (worker start), so the first query does not pay for it.

    Like a request, a start does not encode a freshly loaded catalogue itself: it queues the
    one ``routing.prepare_vectors`` task (every worker process starts at once; one encodes).
    """
    from apps.routing import conf

    started = time.perf_counter()
    try:
        router = router_get(max_missing=int(conf.get("ROUTING_MAX_INLINE_ENCODE")))
    except RouterUnavailable as exc:
        logger.info("routing.warm_deferred", extra={"reason": exc.detail})
        return
    router.route("warm up the encoder", use_llm=False)
    logger.info(
        "routing.ready",
        extra={"routes": len(router.index), "ms": round((time.perf_counter() - started) * 1000)},
    )
