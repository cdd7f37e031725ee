"""Tells the connector catalogue how many credentials use each connector (part of its
popularity) and whether a workspace holds one (its "connected" flag)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Exists, F, Func, OuterRef, Subquery

from apps.connectors.usage import (
    Connection,
    register_connected_check,
    register_connection_lister,
    register_use_counter,
)
from apps.credentials.models import Credential


def credentials_for_connector() -> Subquery:
    """How many credentials (any workspace) are for the ``OuterRef`` connector."""
    uses = (
        Credential.objects.filter(connector=OuterRef("pk"))
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")
    )
    return Subquery(uses)


def workspace_holds_credential(workspace_id: Any) -> Exists:
    """The workspace has a credential for the ``OuterRef`` connector (whatever its status)."""
    return Exists(Credential.objects.filter(workspace_id=workspace_id, connector=OuterRef("pk")))


def workspace_connections(workspace_id: Any) -> Iterator[Connection]:
    """The workspace's credentials that belong to a connector, by name (no secret read)."""
    rows = (
        Credential.objects.filter(workspace_id=workspace_id, connector__isnull=False)
        .order_by("name")
        .values_list(
            "connector_id",
            "pk",
            "name",
            "kind",
            "status",
            "needs_reauth",
            "expires_at",
            "last_error",
        )
    )
    for connector_id, pk, name, kind, status, needs_reauth, expires_at, last_error in rows:
        yield Connection(
            connector_id=connector_id,
            id=str(pk),
            name=name,
            kind=kind,
            status=status,
            needs_reauth=needs_reauth,
            expires_at=expires_at,
            last_error=last_error,
        )


def register() -> None:
    register_use_counter("credentials", credentials_for_connector)
    register_connected_check("credentials", workspace_holds_credential)
    register_connection_lister("credentials", workspace_connections)
