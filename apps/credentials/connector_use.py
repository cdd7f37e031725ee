"""Tells the connector catalogue how many credentials use each connector (part of its
popularity) and whether a workspace holds one (its "connected" flag)."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, F, Func, OuterRef, Subquery

from apps.connectors.usage import register_connected_check, register_use_counter
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


def register() -> None:
    register_use_counter("credentials", credentials_for_connector)
    register_connected_check("credentials", workspace_holds_credential)
