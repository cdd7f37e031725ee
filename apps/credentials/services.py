"""Writes for credentials: create/update/delete, OAuth2 consent and refresh, key rotation.

Secrets live only in ``Credential.sealed``: a JSON object sealed with AES-256-GCM under the
process key ring, bound to the row (``credential.aad``). Nothing here logs, audits or raises a
secret value: audit data carries ids, names and the *names* of changed fields only.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from apps.connectors.clients import outbound_client
from apps.connectors.models import Connector
from apps.connectors.outbound import AuthInjector, OutboundClient, OutboundError
from apps.core.redaction import redact
from apps.credentials import kinds, oauth
from apps.credentials.crypto import InvalidCiphertext
from apps.credentials.exceptions import (
    CredentialInvalid,
    CredentialNameTaken,
    CredentialNeedsReauth,
    CredentialRefreshFailed,
    OAuthCallbackFailed,
    OAuthNotApplicable,
)
from apps.credentials.keyring import keyring
from apps.credentials.models import Credential, OAuthAuthorization
from apps.credentials.sealed import SealedColumn, sealed_columns
from apps.workspaces.models import Workspace
from apps.workspaces.services import audit_record

logger = logging.getLogger(__name__)

K = Credential.Kind
S = Credential.Status
STATE_SALT = "credentials.oauth.state"
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


def _access_expiring(credential: Credential, ahead: float) -> bool:
    expires = credential.access_expires_at
    return expires is not None and expires <= timezone.now() + timedelta(seconds=ahead)


def oauth_secret_current(
    *, credential: Credential, client: OutboundClient | None = None
) -> dict[str, str]:
    """The secret of an OAuth credential with a usable access token, refreshing if needed."""
    if credential.needs_reauth:
        raise CredentialNeedsReauth(f"Credential {credential.name!r} must be reconnected.")
    secret = secret_open(credential)
    margin = settings.CREDENTIAL_REFRESH_MARGIN_SECONDS
    if secret.get("access_token") and not _access_expiring(credential, margin):
        return secret
    if credential.kind == K.OAUTH2_CODE and not secret.get("refresh_token"):
        if secret.get("access_token") and not _access_expiring(credential, 0):
            return secret  # no way to refresh; use it while it lasts
        raise CredentialNeedsReauth(f"Credential {credential.name!r} must be reconnected.")
    return token_refresh(credential_id=credential.pk, ahead_seconds=margin, client=client)


# -- OAuth2 authorization code + PKCE -----------------------------------------------------


def oauth_start(*, credential: Credential, user: User, redirect_uri: str) -> str:
    """Open a consent: returns the provider URL; state and verifier stay server-side."""
    if credential.kind != K.OAUTH2_CODE:
        raise OAuthNotApplicable("Only OAuth2 authorization-code credentials have a consent.")
    ttl = settings.CREDENTIAL_OAUTH_STATE_TTL_SECONDS
    now = timezone.now()
    pending = OAuthAuthorization(
        id=uuid.uuid4(),
        credential=credential,
        user=user,
        redirect_uri=redirect_uri,
        expires_at=now + timedelta(seconds=ttl),
    )
    state = signing.dumps(
        {"a": str(pending.id), "c": str(credential.pk), "u": str(user.pk)},
        salt=STATE_SALT,
        compress=True,
    )
    url, verifier = oauth.authorization_url(
        credential.public_data, state=state, redirect_uri=redirect_uri
    )
    pending.sealed_verifier = keyring().seal(verifier.encode(), aad=pending.aad)
    with transaction.atomic():
        OAuthAuthorization.objects.filter(expires_at__lt=now).delete()
        pending.save(force_insert=True)
    return url


def oauth_complete(
    *,
    user: User,
    state: str,
    code: str | None,
    error: str | None = None,
    client: OutboundClient | None = None,
) -> Credential:
    """Finish a consent from the provider's redirect: check state, exchange, store tokens."""
    try:
        claims = signing.loads(
            state, salt=STATE_SALT, max_age=settings.CREDENTIAL_OAUTH_STATE_TTL_SECONDS
        )
    except signing.BadSignature as exc:  # includes SignatureExpired
        raise OAuthCallbackFailed("The authorization state is invalid or has expired.") from exc
    with transaction.atomic():
        pending = (
            OAuthAuthorization.objects.select_for_update()
            .select_related("credential")
            .filter(pk=claims.get("a"))
            .first()
        )
        if pending is None:
            raise OAuthCallbackFailed("This authorization was already used or has expired.")
        if (
            str(pending.user_id) != str(user.pk)
            or claims.get("u") != str(user.pk)
            or claims.get("c") != str(pending.credential_id)
        ):
            raise OAuthCallbackFailed("This authorization was started by another user.")
        expired = pending.expires_at <= timezone.now()
        verifier = keyring().open(bytes(pending.sealed_verifier), aad=pending.aad).decode()
        credential = pending.credential
        pending.delete()  # single use, whatever happens next
    if expired:
        raise OAuthCallbackFailed("The authorization has expired; start again.")
    if error or not code:
        _record_error(credential, f"The provider refused the authorization ({(error or '')[:60]}).")
        raise OAuthCallbackFailed("The provider did not grant access.")
    secret = secret_open(credential)
    try:
        tokens = oauth.exchange_code(
            client or outbound_http(),
            credential.public_data,
            secret.get("client_secret"),
            code=code,
            redirect_uri=pending.redirect_uri,
            code_verifier=verifier,
        )
    except (oauth.GrantRejected, oauth.TokenEndpointError) as exc:
        message = redact(str(exc), [secret.get("client_secret"), code, verifier])
        _record_error(credential, message)
        raise OAuthCallbackFailed(f"The token exchange failed. {message}") from None
    credential = _store_tokens(credential.pk, tokens)
    audit_record(
        workspace=credential.workspace,
        actor=user,
        action="credential.connected",
        target=credential,
        data={"name": credential.name},
    )
    return credential


def _record_error(credential: Credential, message: str, *, needs_reauth: bool = False) -> None:
    fields: dict[str, Any] = {"last_error": message[:500]}
    if needs_reauth:
        fields.update(needs_reauth=True, status=S.ERROR)
    Credential.objects.filter(pk=credential.pk).update(**fields)


def _store_tokens(credential_id: Any, tokens: oauth.TokenSet) -> Credential:
    """Write access and (rotated) refresh token in one sealed blob, in one transaction."""
    now = timezone.now()
    with transaction.atomic():
        row = (
            Credential.objects.select_for_update().select_related("workspace").get(pk=credential_id)
        )
        secret = secret_open(row)
        secret["access_token"] = tokens.access_token
        if tokens.refresh_token:
            secret["refresh_token"] = tokens.refresh_token
        _seal(row, secret)
        row.access_expires_at = (
            now + timedelta(seconds=tokens.expires_in) if tokens.expires_in else None
        )
        if row.kind == K.OAUTH2_CODE:
            # Without a refresh token the grant ends with the access token.
            row.expires_at = None if secret.get("refresh_token") else row.access_expires_at
        row.status, row.needs_reauth, row.last_error = S.CONNECTED, False, ""
        row.save(
            update_fields=[
                "sealed",
                "key_id",
                "access_expires_at",
                "expires_at",
                "status",
                "needs_reauth",
                "last_error",
                "updated_at",
            ]
        )
    return row


# -- refresh ------------------------------------------------------------------------------


def token_refresh(
    *,
    credential_id: Any,
    stale_access_token: str | None = None,
    ahead_seconds: float = 0,
    client: OutboundClient | None = None,
) -> dict[str, str]:
    """Get a fresh access token, with one refresher per credential across all workers.

    The credential's row lock is the single flight: it is held while the token endpoint is
    called, so a rotated refresh token is sent once and stored once. Whoever waited for it
    re-reads the row; if another worker already replaced the token (it differs from
    ``stale_access_token``, or no longer expires within ``ahead_seconds``) that token is used
    as is. It is the database's lock, not the cache's: the cache fails open when Redis is
    away (config/cache.py), and two refreshes with one rotating refresh token would revoke
    the grant. ``invalid_grant`` marks the row for re-authorization, and a transient failure
    sets a short back-off, so a broken grant is never hammered by every running step.
    """
    backoff_key = f"credentials:refresh-backoff:{credential_id}"
    failure: Exception  # set on every path that does not return
    try:
        with transaction.atomic():
            _bound_lock_wait(settings.CREDENTIAL_REFRESH_WAIT_SECONDS)
            row = (
                Credential.objects.select_for_update(of=("self",))
                .select_related("workspace")
                .get(pk=credential_id)
            )
            if row.needs_reauth:
                raise CredentialNeedsReauth(f"Credential {row.name!r} must be reconnected.")
            secret = secret_open(row)
            if _fresh(row, secret, stale_access_token, ahead_seconds):
                return secret
            if cache.get(backoff_key):
                raise CredentialRefreshFailed(
                    f"Refreshing credential {row.name!r} failed moments ago; retrying later."
                )
            try:
                tokens = _new_tokens(row, secret, client or outbound_http())
            except oauth.GrantRejected as exc:
                failure = _grant_rejected(row, secret, exc)  # recorded when this commits
            except (oauth.TokenEndpointError, OutboundError) as exc:
                failure = _refresh_failed(row, secret, backoff_key, exc)
            else:
                if tokens is None:
                    return secret  # cannot be refreshed; usable until it expires
                row = _store_tokens(row.pk, tokens)
                logger.info("credential.refreshed", extra={"credential_id": str(row.pk)})
                return secret_open(row)
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) != _LOCK_NOT_AVAILABLE:
            raise
        raise CredentialRefreshFailed(
            "Another worker is still refreshing this credential."
        ) from None
    raise failure


_LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL: lock_timeout ran out


def _bound_lock_wait(seconds: float) -> None:
    """Wait at most this long for another worker's refresh (PostgreSQL; SQLite serialises
    writing transactions itself)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('lock_timeout', %s, true)", [f"{int(seconds * 1000)}ms"]
            )


def _new_tokens(
    row: Credential, secret: Mapping[str, str], http: OutboundClient
) -> oauth.TokenSet | None:
    """The token endpoint's answer; None when the token cannot be refreshed but still works."""
    if row.kind == K.OAUTH2_CLIENT:
        return oauth.client_credentials(http, row.public_data, secret.get("client_secret", ""))
    if secret.get("refresh_token"):
        return oauth.refresh(
            http, row.public_data, secret.get("client_secret"), secret["refresh_token"]
        )
    if secret.get("access_token") and not _access_expiring(row, 0):
        return None
    raise oauth.GrantRejected("invalid_grant", "no refresh token")


def _grant_rejected(
    row: Credential, secret: Mapping[str, str], exc: oauth.GrantRejected
) -> CredentialNeedsReauth:
    message = redact(str(exc), secret.values())
    _record_error(row, f"Re-authorization needed: {message}", needs_reauth=True)
    logger.warning("credential.needs_reauth", extra={"credential_id": str(row.pk)})
    audit_record(
        workspace=row.workspace,
        actor=None,
        action="credential.needs_reauth",
        target=row,
        data={"name": row.name, "error": exc.error},
    )
    return CredentialNeedsReauth(f"Credential {row.name!r} must be reconnected ({exc.error}).")


def _refresh_failed(
    row: Credential, secret: Mapping[str, str], backoff_key: str, exc: Exception
) -> CredentialRefreshFailed:
    message = redact(str(exc), secret.values())
    cache.set(backoff_key, 1, timeout=settings.CREDENTIAL_REFRESH_BACKOFF_SECONDS)
    _record_error(row, message)
    logger.warning("credential.refresh_failed", extra={"credential_id": str(row.pk)})
    return CredentialRefreshFailed(message)


def _fresh(row: Credential, secret: Mapping[str, str], stale: str | None, ahead: float) -> bool:
    token = secret.get("access_token")
    if not token:
        return False
    if stale is not None:
        return token != stale and not _access_expiring(row, 0)
    return not _access_expiring(row, ahead)


@dataclass
class RefreshReport:
    refreshed: int = 0
    failed: int = 0
    needs_reauth: int = 0


def credentials_refresh_expiring(*, limit: int = 500) -> RefreshReport:
    """Beat: refresh OAuth access tokens that expire soon, before a block needs them."""
    ahead = settings.CREDENTIAL_REFRESH_AHEAD_SECONDS
    due = list(
        Credential.objects.filter(
            kind__in=OAUTH_KINDS,
            needs_reauth=False,
            access_expires_at__lte=timezone.now() + timedelta(seconds=ahead),
        )
        .order_by("access_expires_at")
        .values_list("pk", flat=True)[:limit]
    )
    report = RefreshReport()
    for pk in due:
        try:
            token_refresh(credential_id=pk, ahead_seconds=ahead)
            report.refreshed += 1
        except CredentialNeedsReauth:
            report.needs_reauth += 1
        except CredentialRefreshFailed:
            report.failed += 1
    return report


# -- connection test ----------------------------------------------------------------------


def credential_test(
    *,
    credential: Credential,
    url: str | None = None,
    actor: User | None = None,
    client: OutboundClient | None = None,
) -> dict[str, Any]:
    """Prove the credential works: the connector's health check, or a GET of ``url``."""
    from apps.connectors.exceptions import ConnectionTestFailed
    from apps.connectors.health import connector_test_connection

    http = client or outbound_http()
    secrets: list[str] = []
    try:
        if credential.kind in OAUTH_KINDS:
            secret = oauth_secret_current(credential=credential, client=http)
        else:
            secret = secret_open(credential)
        secrets = [v for v in secret.values() if v]
        injector = injector_for(credential, secret)
    except (CredentialNeedsReauth, CredentialRefreshFailed) as exc:
        return _test_result(credential, ok=False, detail=exc.message, status=None, elapsed=0)
    if url:
        started = time.monotonic()
        try:
            response = http.request(
                "GET",
                url,
                auth_injector=injector,
                timeout=(5.0, 15.0),
                max_response_bytes=1024 * 1024,
            )
        except OutboundError as exc:
            return _test_result(
                credential,
                ok=False,
                detail=redact(f"Unreachable: {exc}", secrets),
                status=None,
                elapsed=int((time.monotonic() - started) * 1000),
            )
        ok = response.ok
        detail = f"GET answered HTTP {response.status}."
        return _test_result(
            credential,
            ok=ok,
            detail=detail,
            status=response.status,
            elapsed=int(response.elapsed * 1000),
        )
    if credential.connector is None:
        raise CredentialInvalid(
            "Give a URL to test: this credential has no connector.",
            fields={"url": ["Required without a connector."]},
        )
    try:
        check = connector_test_connection(
            connector=credential.connector, auth_injector=injector, client=http
        )
    except ConnectionTestFailed as exc:
        raise CredentialInvalid(exc.detail) from None
    return _test_result(
        credential,
        ok=check.ok,
        detail=redact(check.detail, secrets),
        status=check.status,
        elapsed=check.elapsed_ms,
    )


def _test_result(
    credential: Credential, *, ok: bool, detail: str, status: int | None, elapsed: int
) -> dict[str, Any]:
    if ok:
        Credential.objects.filter(pk=credential.pk, needs_reauth=False).exclude(
            kind=K.OAUTH2_CODE, status=S.DISCONNECTED
        ).update(status=S.CONNECTED, last_error="")
    elif status in (401, 403):
        Credential.objects.filter(pk=credential.pk).update(status=S.ERROR, last_error=detail)
    return {"ok": ok, "status": status, "detail": detail, "elapsed_ms": elapsed}


# -- key rotation -------------------------------------------------------------------------


@dataclass
class RotationCount:
    rotated: int = 0
    current: int = 0
    failed: int = 0


def credentials_rotate_key() -> dict[str, RotationCount]:
    """Re-seal every registered sealed column (apps.credentials.sealed) under the newest key."""
    ring = keyring()
    counts: dict[str, RotationCount] = {}
    for column in sealed_columns():
        counts[column.name] = _rotate_column(ring, column)
    return counts


def _rotate_column(ring: Any, column: SealedColumn) -> RotationCount:
    count = RotationCount()
    rows = column.model._default_manager
    ids = rows.filter(**{f"{column.field}__isnull": False}).values_list("pk", flat=True)
    for pk in ids.iterator():
        with transaction.atomic():
            row = rows.select_for_update().filter(pk=pk).first()
            if row is None or getattr(row, column.field) is None:
                continue  # deleted (or cleared) since it was listed

            def write(blob: bytes, pk: Any = pk) -> None:
                changes = {column.field: blob}
                if column.key_id_field:
                    changes[column.key_id_field] = ring.primary_key_id
                rows.filter(pk=pk).update(**changes)

            _rotate_one(ring, count, bytes(getattr(row, column.field)), column.aad(row), write)
    return count


def _rotate_one(ring: Any, count: RotationCount, blob: bytes, aad: bytes, write: Any) -> None:
    try:
        if not ring.needs_rotation(blob):
            count.current += 1
            return
        write(ring.rotate(blob, aad=aad))
        count.rotated += 1
    except InvalidCiphertext:
        count.failed += 1
