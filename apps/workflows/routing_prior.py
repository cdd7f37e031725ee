"""Tells the router what a workspace works with (apps/routing/workspace.py): the connectors
it holds a working credential for, and the connector operations its workflows call.

Workflows sits above both routing and credentials, so the prior is put together here; the
router caches it per workspace, and the signals below drop that cache when a credential or a
workflow of the workspace changes.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from apps.credentials.models import Credential
from apps.credentials.selectors import credential_status
from apps.routing.workspace import (
    WorkspacePrior,
    register_prior_source,
    workspace_prior_changed,
)
from apps.workflows.models import Workflow

WORKING = (Credential.Status.CONNECTED, Credential.Status.WARNING)
OPERATION_NODE = "connector_operation"


def connected_connectors(workspace_id: Any) -> frozenset[str]:
    """Slugs of the connectors with a connected (or soon expiring) credential."""
    credentials = Credential.objects.filter(
        workspace_id=workspace_id, connector__isnull=False
    ).select_related("connector")
    return frozenset(c.connector.slug for c in credentials if credential_status(c) in WORKING)


def used_operations(workspace_id: Any) -> frozenset[tuple[str, str]]:
    """(connector, operation) of every connector-operation node of a live workflow's graph."""
    found: set[tuple[str, str]] = set()
    graphs = (
        Workflow.objects.filter(workspace_id=workspace_id)
        .exclude(status=Workflow.Status.ARCHIVED)
        .values_list("graph", flat=True)
    )
    for graph in graphs:
        for node in (graph or {}).get("nodes") or []:
            if not isinstance(node, dict) or node.get("type") != OPERATION_NODE:
                continue
            config = (node.get("data") or {}).get("config") or {}
            connector, operation = config.get("connector"), config.get("operation")
            if isinstance(connector, str) and isinstance(operation, str):
                found.add((connector, operation))
    return frozenset(found)


def workspace_routing_prior(workspace_id: Any) -> WorkspacePrior:
    return WorkspacePrior(
        connectors=connected_connectors(workspace_id),
        operations=used_operations(workspace_id),
    )


def _changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    workspace_prior_changed(instance.workspace_id)


def register() -> None:
    register_prior_source("workflows", workspace_routing_prior)
    for model in (Credential, Workflow):
        post_save.connect(_changed, sender=model, dispatch_uid=f"routing_prior:{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"routing_prior:{model.__name__}")
