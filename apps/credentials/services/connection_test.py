"""Connection test: prove a credential works against its connector or a given URL."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.models import User

from apps.connectors.outbound import OutboundClient, OutboundError
from apps.core.redaction import redact
from apps.credentials.exceptions import (
    CredentialInvalid,
    CredentialNeedsReauth,
    CredentialRefreshFailed,
)
from apps.credentials.models import Credential
from apps.credentials.services.credentials import (
    OAUTH_KINDS,
    injector_for,
    outbound_http,
    secret_open,
)
from apps.credentials.services.refresh import oauth_secret_current

K = Credential.Kind
S = Credential.Status


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
