"""Connection test: prove a credential works against its connector or a given URL."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User

from apps.connectors.call_metrics import calls_for
from apps.connectors.outbound import AuthInjector, OutboundClient, OutboundError
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
from apps.credentials.services.refresh import oauth_secret_current, token_refresh

if TYPE_CHECKING:
    from apps.connectors.health import ConnectionCheck

K = Credential.Kind
S = Credential.Status


def credential_test(
    *,
    credential: Credential,
    url: str | None = None,
    actor: User | None = None,
    client: OutboundClient | None = None,
) -> dict[str, Any]:
    """Prove the credential works: the connector's health check, or a GET of ``url``. The
    test's calls count as calls of the credential's connector (the Status page).

    The answer carries the latency and the start of the upstream's answer (secrets redacted).
    """
    connector = credential.connector.slug if credential.connector is not None else None
    with calls_for(workspace_id=credential.workspace_id, connector=connector):
        return _credential_test(credential=credential, url=url, client=client)


def _credential_test(
    *, credential: Credential, url: str | None, client: OutboundClient | None
) -> dict[str, Any]:
    if not url and credential.connector is None:
        raise CredentialInvalid(
            "Give a URL to test: this credential has no connector.",
            fields={"url": ["Required without a connector."]},
        )
    http = client or outbound_http()
    try:
        if credential.kind in OAUTH_KINDS:
            secret = oauth_secret_current(credential=credential, client=http)
        else:
            secret = secret_open(credential)
    except (CredentialNeedsReauth, CredentialRefreshFailed) as exc:
        return _test_result(credential, ok=False, detail=exc.message, status=None, elapsed=0)
    check = _call(credential, injector_for(credential, secret), url, http)
    if check.status == 401 and credential.kind in OAUTH_KINDS:
        # The provider may have revoked the access token before it expired: refresh once (a
        # refused refresh marks the credential for re-authorization) and try again.
        try:
            secret = token_refresh(
                credential_id=credential.pk,
                stale_access_token=secret.get("access_token"),
                client=http,
            )
        except (CredentialNeedsReauth, CredentialRefreshFailed) as exc:
            return _test_result(
                credential,
                ok=False,
                detail=f"HTTP 401; {exc.message}",
                status=401,
                elapsed=check.elapsed_ms,
                answer=_redacted(check.answer, secret),
            )
        check = _call(credential, injector_for(credential, secret), url, http)
    return _test_result(
        credential,
        ok=check.ok,
        detail=_redacted(check.detail, secret),
        status=check.status,
        elapsed=check.elapsed_ms,
        answer=_redacted(check.answer, secret),
    )


def _call(
    credential: Credential, injector: AuthInjector, url: str | None, http: OutboundClient
) -> ConnectionCheck:
    from apps.connectors.exceptions import ConnectionTestFailed
    from apps.connectors.health import ConnectionCheck, answer_excerpt, connector_test_connection

    if not url:
        assert credential.connector is not None  # checked by the caller
        try:
            return connector_test_connection(
                connector=credential.connector, auth_injector=injector, client=http
            )
        except ConnectionTestFailed as exc:
            raise CredentialInvalid(exc.detail) from None
    started = time.monotonic()
    try:
        response = http.request(
            "GET", url, auth_injector=injector, timeout=(5.0, 15.0), max_response_bytes=1024 * 1024
        )
    except OutboundError as exc:
        elapsed = int((time.monotonic() - started) * 1000)
        return ConnectionCheck(ok=False, detail=f"Unreachable: {exc}", elapsed_ms=elapsed)
    return ConnectionCheck(
        ok=response.ok,
        detail=f"GET answered HTTP {response.status}.",
        status=response.status,
        elapsed_ms=int(response.elapsed * 1000),
        answer=answer_excerpt(response),
    )


def _redacted(text: str, secret: dict[str, str]) -> str:
    return redact(text, [v for v in secret.values() if v])


def _test_result(
    credential: Credential,
    *,
    ok: bool,
    detail: str,
    status: int | None,
    elapsed: int,
    answer: str = "",
) -> dict[str, Any]:
    if ok:
        Credential.objects.filter(pk=credential.pk, needs_reauth=False).exclude(
            kind=K.OAUTH2_CODE, status=S.DISCONNECTED
        ).update(status=S.CONNECTED, last_error="")
    elif status in (401, 403):
        Credential.objects.filter(pk=credential.pk).update(status=S.ERROR, last_error=detail)
    return {"ok": ok, "status": status, "detail": detail, "elapsed_ms": elapsed, "answer": answer}
