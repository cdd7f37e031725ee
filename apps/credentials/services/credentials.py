"""Credential rows: the outbound client, sealing, create/update/delete, use audit, injectors.

Secrets live only in ``Credential.sealed``: a JSON object sealed with AES-256-GCM under the
process key ring, bound to the row (``credential.aad``). Nothing here logs, audits or raises a
secret value: audit data carries ids, names and the *names* of changed fields only.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.connectors.clients import outbound_client
from apps.connectors.models import Connector
from apps.connectors.outbound import AuthInjector, OutboundClient
from apps.credentials import kinds
from apps.credentials.crypto import InvalidCiphertext
from apps.credentials.exceptions import (
    CredentialInvalid,
    CredentialNameTaken,
    CredentialNeedsReauth,
)
from apps.credentials.keyring import keyring
from apps.credentials.models import Credential
from apps.workspaces.models import Workspace
from apps.workspaces.services import audit_record

logger = logging.getLogger(__name__)

K = Credential.Kind
S = Credential.Status
OAUTH_KINDS = (K.OAUTH2_CODE, K.OAUTH2_CLIENT)
_UNSET: Any = object()


def outbound_http() -> OutboundClient:
    """The process's guarded client for the current ``OUTBOUND_ALLOWLIST`` (one per setting,
    so its connection pool is reused)."""
    allowlist = tuple(settings.OUTBOUND_ALLOWLIST)
    client = _clients.get(allowlist)
    if client is None:
        client = _clients.setdefault(allowlist, outbound_client())
    return client


_clients: dict[tuple[str, ...], OutboundClient] = {}


# -- sealing ------------------------------------------------------------------------------


def secret_open(credential: Credential) -> dict[str, str]:
    """The decrypted secret fields of a row (callers must never log or return them)."""
    if not credential.sealed:
        return {}
    try:
        raw = keyring().open(bytes(credential.sealed), aad=credential.aad)
    except InvalidCiphertext:
        logger.error("credential.unsealable", extra={"credential_id": str(credential.pk)})
        raise
    data = json.loads(raw)
    return data if isinstance(data, dict) else {}


def _seal(credential: Credential, secret: Mapping[str, str]) -> None:
    clean = {k: v for k, v in secret.items() if v}
    credential.sealed = keyring().seal(
        json.dumps(clean, sort_keys=True).encode(), aad=credential.aad
    )
    credential.key_id = keyring().primary_key_id


def secret_values(credential: Credential) -> list[str]:
    """Every secret string of a row, for redaction."""
    return [v for v in secret_open(credential).values() if isinstance(v, str) and v]


# -- create / update / delete -------------------------------------------------------------


def _resolve_public(
    kind: str,
    config: Mapping[str, Any],
    connector: Connector | None,
    base: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    public: dict[str, Any] = dict(kinds.KINDS[kind].defaults)
    if connector is not None and kind in OAUTH_KINDS:
        public.update(kinds.oauth_defaults_from_connector(kind, connector.auth_schemes))
    public.update(base or {})
    public.update(config)
    missing: dict[str, list[str]] = {}
    if kind == K.OAUTH2_CODE and not public.get("authorization_url"):
        missing["config.authorization_url"] = ["Required (the connector declares none)."]
    if kind in OAUTH_KINDS and not public.get("token_url"):
        missing["config.token_url"] = ["Required (the connector declares none)."]
    if missing:
        raise CredentialInvalid("The OAuth2 endpoints are missing.", fields=missing)
    for key in ("authorization_url", "token_url"):
        if kind in OAUTH_KINDS and public.get(key) and not _secure_endpoint(public[key]):
            raise CredentialInvalid(
                "OAuth2 endpoints must use https.",
                fields={
                    f"config.{key}": [
                        "Use https (plain http only for allow-listed self-hosted providers)."
                    ]
                },
            )
    return public


def _secure_endpoint(url: str) -> bool:
    """https, or http to a self-hosted host listed in OUTBOUND_ALLOWLIST."""
    import ipaddress
    from urllib.parse import urlsplit

    from apps.connectors.outbound import AllowList

    parts = urlsplit(url)
    if parts.scheme == "https":
        return True
    allow = AllowList.parse(settings.OUTBOUND_ALLOWLIST)
    host, port = parts.hostname or "", parts.port or 80
    try:
        return allow.allows_address(ipaddress.ip_address(host), port)
    except ValueError:
        return allow.allows_host(host, port)


def _validate(
    kind: str, config: Mapping[str, Any], secret: Mapping[str, Any], *, partial: bool
) -> None:
    errors = {
        **kinds.validate_public(kind, config, partial=partial),
        **kinds.validate_secret(kind, secret, partial=partial),
    }
    if errors:
        raise CredentialInvalid("The credential is invalid.", fields=errors)


def credential_create(
    *,
    workspace: Workspace,
    actor: User | None,
    name: str,
    kind: str,
    config: Mapping[str, Any] | None = None,
    secret: Mapping[str, Any] | None = None,
    connector: Connector | None = None,
    expires_at: datetime | None = None,
) -> Credential:
    """Store a new credential; its secret fields are sealed to the new row."""
    if kind not in kinds.KINDS:
        raise CredentialInvalid("Unknown credential kind.", fields={"kind": ["Unknown kind."]})
    config, secret = dict(config or {}), dict(secret or {})
    _validate(kind, config, secret, partial=False)
    credential = Credential(
        id=uuid.uuid4(),
        workspace=workspace,
        name=name,
        kind=kind,
        connector=connector,
        public_data=_resolve_public(kind, config, connector),
        expires_at=expires_at,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        status=S.DISCONNECTED if kind == K.OAUTH2_CODE else S.CONNECTED,
    )
    _seal(credential, secret)
    try:
        with transaction.atomic():
            credential.save(force_insert=True)
            audit_record(
                workspace=workspace,
                actor=actor,
                action="credential.created",
                target=credential,
                data={"name": name, "kind": kind},
            )
    except IntegrityError as exc:
        raise CredentialNameTaken(
            f"A credential named {name!r} already exists.",
            fields={"name": ["Already in use in this workspace."]},
        ) from exc
    return credential


def credential_update(
    *,
    credential: Credential,
    actor: User | None,
    name: str | None = None,
    config: Mapping[str, Any] | None = None,
    secret: Mapping[str, Any] | None = None,
    expires_at: Any = _UNSET,
) -> Credential:
    """Change settings and/or replace secret fields; unspecified secret fields are kept."""
    config, secret = dict(config or {}), dict(secret or {})
    _validate(credential.kind, config, secret, partial=True)
    changed: list[str] = []
    with transaction.atomic():
        row = Credential.objects.select_for_update().get(pk=credential.pk)
        if name is not None and name != row.name:
            row.name = name
            changed.append("name")
        if expires_at is not _UNSET and expires_at != row.expires_at:
            row.expires_at = expires_at
            changed.append("expires_at")
        current = secret_open(row)
        if config:
            before = dict(row.public_data)
            row.public_data = _resolve_public(row.kind, config, row.connector, base=before)
            changed += [f"config.{k}" for k in sorted(config) if before.get(k) != config[k]]
            if row.kind == K.OAUTH2_CODE and any(
                before.get(k) != row.public_data.get(k)
                for k in ("client_id", "authorization_url", "token_url", "scopes")
            ):
                # Tokens were granted for the old client or scopes: ask for a new consent.
                current = {k: v for k, v in current.items() if k not in kinds.TOKEN_FIELDS}
                row.status, row.access_expires_at = S.DISCONNECTED, None
        if secret:
            current.update(secret)
            changed += [f"secret.{k}" for k in sorted(secret)]
            if row.kind != K.OAUTH2_CODE:
                row.status, row.last_error, row.needs_reauth = S.CONNECTED, "", False
        if row.kind == K.OAUTH2_CLIENT and (secret or config):
            current.pop("access_token", None)  # fetched again with the new settings
            row.access_expires_at = None
        _seal(row, current)
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError as exc:
            raise CredentialNameTaken(
                f"A credential named {name!r} already exists.",
                fields={"name": ["Already in use in this workspace."]},
            ) from exc
        audit_record(
            workspace=row.workspace,
            actor=actor,
            action="credential.updated",
            target=row,
            data={"name": row.name, "changed": changed},
        )
    return row


def credential_delete(*, credential: Credential, actor: User | None) -> None:
    with transaction.atomic():
        audit_record(
            workspace=credential.workspace,
            actor=actor,
            action="credential.deleted",
            target=credential,
            data={"name": credential.name, "kind": credential.kind},
        )
        credential.delete()


def credential_mark_used(
    *, credential: Credential, execution_id: str | None = None, node_id: str | None = None
) -> None:
    """Audit a use by a block, at most once per credential per minute (cache ``add`` gate)."""
    if not cache.add(
        f"credentials:use-audit:{credential.pk}", 1, timeout=settings.CREDENTIAL_USE_AUDIT_SECONDS
    ):
        return
    now = timezone.now()
    Credential.objects.filter(pk=credential.pk).update(last_used_at=now)
    data: dict[str, Any] = {"name": credential.name}
    if execution_id:
        data["execution_id"] = str(execution_id)
    if node_id:
        data["node_id"] = node_id
    audit_record(
        workspace=credential.workspace,
        actor=None,
        action="credential.used",
        target=credential,
        data=data,
    )


# -- injectors ----------------------------------------------------------------------------


def injector_for(credential: Credential, secret: Mapping[str, str]) -> AuthInjector:
    build = kinds.INJECTORS.get(credential.kind)
    if build is None:
        raise CredentialInvalid(
            f"A {credential.get_kind_display()} credential does not "
            "authenticate HTTP requests; use values_for()."
        )
    if credential.kind in OAUTH_KINDS and not secret.get("access_token"):
        raise CredentialNeedsReauth(f"Credential {credential.name!r} is not connected.")
    public = credential.public_data
    if credential.kind == K.AWS_SIGV4 and credential.connector is not None:
        # Read live, so an operator's edit of the connector applies to existing credentials.
        public = {**kinds.aws_scope_from_connector(credential.connector.auth_schemes), **public}
    return build(public, secret)
