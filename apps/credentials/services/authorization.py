"""OAuth2 authorization code + PKCE: open a consent, finish it, store the granted tokens.

The state is signed and the PKCE verifier stays sealed server-side (``OAuthAuthorization``);
errors are recorded on the row without the secret values (see ``credentials``).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.db import transaction
from django.utils import timezone

from apps.connectors.outbound import OutboundClient
from apps.core.redaction import redact
from apps.credentials import oauth
from apps.credentials.exceptions import (
    OAuthCallbackFailed,
    OAuthNotApplicable,
)
from apps.credentials.keyring import keyring
from apps.credentials.models import Credential, OAuthAuthorization
from apps.credentials.services.credentials import _seal, outbound_http, secret_open
from apps.workspaces.services import audit_record

K = Credential.Kind
S = Credential.Status
STATE_SALT = "credentials.oauth.state"


def oauth_start(
    *, credential: Credential, user: User, redirect_uri: str, return_to: str = ""
) -> str:
    """Open a consent: returns the provider URL; state and verifier stay server-side.

    ``return_to`` (a path of this app) is where the callback sends the browser afterwards: the
    Connect wizard's popup returns to a page that tells its opener and closes."""
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
        {"a": str(pending.id), "c": str(credential.pk), "u": str(user.pk), "r": return_to},
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


def oauth_return_to(state: str) -> str:
    """The page a consent asked to come back to ("" when none or the state is not ours)."""
    try:
        claims = signing.loads(state, salt=STATE_SALT)
    except signing.BadSignature:
        return ""
    value = claims.get("r") if isinstance(claims, dict) else None
    return value if isinstance(value, str) and value.startswith("/app/") else ""


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
