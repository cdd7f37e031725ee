"""A workspace's prior (prior.py) for the router, without this app importing who knows it.

Apps above routing register, in their ``ready()``, a source ``(workspace_id) ->
WorkspacePrior`` (the workflows app: connectors with a working credential, operations its
workflows call). The merged answer is cached per workspace for ``TTL_SECONDS`` in the
shared cache, so a routed query costs a cache read, not database queries; the sources'
owners call ``workspace_prior_changed`` when a credential or a workflow changes, so the TTL
only bounds what a missed signal (a bulk update) can leave stale.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

__all__ = ["WorkspacePrior", "register_prior_source", "workspace_prior", "workspace_prior_changed"]

logger = logging.getLogger("apps.routing.workspace")
TTL_SECONDS = 60


# Defined here, not in prior.py, so that the apps registering a source (loaded by every
# process) do not import numpy with it.
@dataclass(frozen=True)
class WorkspacePrior:
    # Connector slugs with a working (connected or expiring-soon) credential.
    connectors: frozenset[str] = frozenset()
    # (connector slug, operation key) pairs that the workspace's workflows call.
    operations: frozenset[tuple[str, str]] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.connectors or self.operations)


PriorSource = Callable[[Any], WorkspacePrior]
_sources: dict[str, PriorSource] = {}


def register_prior_source(name: str, source: PriorSource) -> None:
    _sources[name] = source


def _key(workspace_id: Any) -> str:
    return f"routing:prior:{workspace_id}"


def workspace_prior(workspace_id: Any) -> WorkspacePrior | None:
    """The workspace's connected connectors and used operations (None: no workspace)."""
    if workspace_id is None or not _sources:
        return None
    try:
        cached = cache.get(_key(workspace_id))
    except Exception:  # a cache outage costs the queries below, not the routing
        logger.warning("routing.prior_cache_unreadable")
        cached = None
    if cached is not None:
        connectors, operations = cached
        return WorkspacePrior(frozenset(connectors), frozenset(map(tuple, operations)))
    connectors_found: set[str] = set()
    operations_found: set[tuple[str, str]] = set()
    for name in sorted(_sources):
        part = _sources[name](workspace_id)
        connectors_found |= part.connectors
        operations_found |= part.operations
    prior = WorkspacePrior(frozenset(connectors_found), frozenset(operations_found))
    try:
        cache.set(
            _key(workspace_id),
            (sorted(prior.connectors), sorted(prior.operations)),
            timeout=TTL_SECONDS,
        )
    except Exception:
        logger.warning("routing.prior_cache_unwritable")
    return prior


def workspace_prior_changed(workspace_id: Any) -> None:
    """Forget the workspace's cached prior (a credential or a workflow changed)."""
    try:
        cache.delete(_key(workspace_id))
    except Exception:
        logger.warning("routing.prior_cache_unwritable")
