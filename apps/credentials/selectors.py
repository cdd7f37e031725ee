"""Reads for credentials, always scoped to the caller's workspaces. Never returns secrets."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from apps.connectors.models import Connector
from apps.credentials.exceptions import CredentialNotFound, CredentialRequired
from apps.credentials.models import Credential

S = Credential.Status


def credential_list(*, user: User) -> QuerySet[Credential]:
    """Credentials of every workspace the caller belongs to (viewers included: metadata only)."""
    return (
        Credential.objects.filter(workspace__memberships__user=user)
        .select_related("connector", "workspace")
        .order_by("name", "id")
    )


def credential_get(*, user: User, credential_id: Any) -> Credential:
    try:
        return credential_list(user=user).get(pk=credential_id)
    except (Credential.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise CredentialNotFound("Credential not found.") from exc


def credential_get_in_workspace(*, workspace_id: Any, credential_id: Any) -> Credential:
    """For the run-time resolver: another workspace's id is as unknown as a random one."""
    try:
        return Credential.objects.select_related("workspace", "connector").get(
            pk=credential_id, workspace_id=workspace_id
        )
    except (Credential.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise CredentialNotFound("Credential not found.") from exc


def credential_status(credential: Credential, *, now: datetime | None = None) -> str:
    """connected / warning (expires within CREDENTIAL_WARNING_DAYS) / error / disconnected."""
    now = now or timezone.now()
    if credential.needs_reauth or credential.status == S.ERROR:
        return S.ERROR
    if credential.status == S.DISCONNECTED:
        return S.DISCONNECTED
    if credential.expires_at is not None:
        if credential.expires_at <= now:
            return S.ERROR
        if credential.expires_at <= now + timedelta(days=settings.CREDENTIAL_WARNING_DAYS):
            return S.WARNING
    return credential.status


def credential_ids_in_workspace(*, workspace_id: Any, ids: set[Any]) -> set[Any]:
    """Which of `ids` are credentials of `workspace_id` (for checking a graph's references)."""
    return set(
        Credential.objects.filter(workspace_id=workspace_id, pk__in=ids).values_list(
            "pk", flat=True
        )
    )


def credential_for_connector(
    *, workspace_id: Any, connector: str, chosen: Any = None
) -> Credential | None:
    """The credential a run uses for ``connector`` (a slug): ``chosen`` when given, else the
    workspace's single usable credential for it, else None when the connector declares no
    auth scheme. Raises ``CredentialRequired`` (naming the connector) otherwise."""
    if chosen:
        try:
            credential = credential_get_in_workspace(
                workspace_id=workspace_id, credential_id=chosen
            )
        except CredentialNotFound:
            raise CredentialRequired(
                f"The credential set for connector {connector!r} does not exist in this workspace."
            ) from None
        if credential.connector is not None and credential.connector.slug != connector:
            raise CredentialRequired(
                f"Credential {credential.name!r} belongs to connector "
                f"{credential.connector.slug!r}, not {connector!r}."
            )
        return credential
    candidates = [
        c
        for c in Credential.objects.select_related("connector")
        .filter(workspace_id=workspace_id, connector__slug=connector)
        .order_by("name")
        if credential_status(c) in (S.CONNECTED, S.WARNING)
    ]
    if len(candidates) == 1:
        return candidates[0]
    if len(candidates) > 1:
        names = ", ".join(repr(c.name) for c in candidates[:5])
        raise CredentialRequired(
            f"Connector {connector!r} has {len(candidates)} connected credentials ({names}); "
            "choose one in the block's credentials."
        )
    schemes = Connector.objects.filter(slug=connector).values_list("auth_schemes", flat=True)
    if not any(schemes):
        return None  # a public API: the call goes out without a credential
    raise CredentialRequired(
        f"Connector {connector!r} needs a credential: connect one for it in this workspace "
        "or set one in the block's credentials."
    )
