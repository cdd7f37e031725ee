"""OAuth access tokens: a usable token for a run, single-flight refresh, the refresh beat."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from apps.connectors.outbound import OutboundClient, OutboundError
from apps.core.redaction import redact
from apps.credentials import oauth
from apps.credentials.exceptions import (
    CredentialNeedsReauth,
    CredentialRefreshFailed,
)
from apps.credentials.models import Credential
from apps.credentials.services.authorization import _record_error, _store_tokens
from apps.credentials.services.credentials import OAUTH_KINDS, outbound_http, secret_open
from apps.workspaces.services import audit_record

logger = logging.getLogger(__name__)

K = Credential.Kind


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
