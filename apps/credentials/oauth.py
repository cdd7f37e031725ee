"""OAuth2 protocol helpers: authorization URL with PKCE, and token endpoint calls.

oauthlib builds the URL, the PKCE pair and the request bodies; the HTTP exchange goes through
the platform's guarded ``OutboundClient`` (SSRF policy, timeouts, size cap, no secrets in its
logs), never through requests-oauthlib's own session. No Django here: the services pass in
what they read from the row.

Error mapping, because it decides between "ask the user again" and "try later":
- ``invalid_grant`` (revoked/expired refresh token or code), ``invalid_client`` and
  ``unauthorized_client`` -> ``GrantRejected``: retrying cannot help, the user must reconnect;
- anything else (connection errors, 5xx, 429, unparseable bodies) -> ``TokenEndpointError``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from oauthlib.common import add_params_to_uri
from oauthlib.oauth2 import BackendApplicationClient, WebApplicationClient

from apps.connectors.outbound import BasicAuth, OutboundClient, OutboundError

PKCE_METHOD = "S256"
TOKEN_TIMEOUT = (5.0, 20.0)
TOKEN_MAX_BYTES = 256 * 1024
_RESERVED = frozenset(
    {
        "response_type",
        "client_id",
        "redirect_uri",
        "state",
        "scope",
        "code_challenge",
        "code_challenge_method",
    }
)
_REJECTED = frozenset({"invalid_grant", "invalid_client", "unauthorized_client"})


class TokenEndpointError(Exception):
    """A transient failure talking to the token endpoint (message is safe to store)."""


class GrantRejected(Exception):
    """The provider refused the grant or the client; only a new consent fixes it."""

    def __init__(self, error: str, description: str = "") -> None:
        self.error = error
        super().__init__(
            f"The provider answered {error}" + (f": {description}" if description else ".")
        )


@dataclass(frozen=True)
class TokenSet:
    access_token: str = field(repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    expires_in: int | None = None
    scope: str | None = None


def authorization_url(
    public: Mapping[str, Any], *, state: str, redirect_uri: str
) -> tuple[str, str]:
    """The provider URL to send the user to, and the PKCE code verifier to keep sealed."""
    client = WebApplicationClient(public["client_id"], code_challenge_method=PKCE_METHOD)
    verifier = client.create_code_verifier(64)
    challenge = client.create_code_challenge(verifier, PKCE_METHOD)
    params = [
        (str(k), str(v))
        for k, v in (public.get("authorize_params") or {}).items()
        if k not in _RESERVED
    ]
    params += [
        ("response_type", "code"),
        ("client_id", public["client_id"]),
        ("redirect_uri", redirect_uri),
        ("state", state),
        ("code_challenge", challenge),
        ("code_challenge_method", PKCE_METHOD),
    ]
    if public.get("scopes"):
        params.append(("scope", " ".join(public["scopes"])))
    # Built here rather than by prepare_request_uri: oauthlib refuses http:// outright, while
    # the services allow it for allow-listed self-hosted providers only.
    return add_params_to_uri(public["authorization_url"], params), verifier


def exchange_code(
    http: OutboundClient,
    public: Mapping[str, Any],
    client_secret: str | None,
    *,
    code: str,
    redirect_uri: str,
    code_verifier: str,
) -> TokenSet:
    body = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": code_verifier,
    }
    return _token_call(http, public, client_secret, body)


def refresh(
    http: OutboundClient,
    public: Mapping[str, Any],
    client_secret: str | None,
    refresh_token: str,
) -> TokenSet:
    body = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    return _token_call(http, public, client_secret, body)


def client_credentials(
    http: OutboundClient, public: Mapping[str, Any], client_secret: str
) -> TokenSet:
    prepared = BackendApplicationClient(public["client_id"]).prepare_request_body(
        scope=list(public.get("scopes") or []) or None, include_client_id=False
    )
    body: dict[str, str] = dict(_pairs(prepared))
    if public.get("audience"):
        body["audience"] = public["audience"]
    return _token_call(http, public, client_secret, body)


def _pairs(form: str) -> Sequence[tuple[str, str]]:
    from urllib.parse import parse_qsl

    return parse_qsl(form, keep_blank_values=True)


def _token_call(
    http: OutboundClient,
    public: Mapping[str, Any],
    client_secret: str | None,
    body: dict[str, str],
) -> TokenSet:
    method = public.get("token_auth") or "client_secret_basic"
    injector = None
    if method == "client_secret_basic" and client_secret:
        # RFC 6749 2.3.1: both parts are form-urlencoded before the Basic encoding.
        injector = BasicAuth(quote(public["client_id"], safe=""), quote(client_secret, safe=""))
    else:
        body["client_id"] = public["client_id"]
        if client_secret:
            body["client_secret"] = client_secret
    try:
        response = http.request(
            "POST",
            public["token_url"],
            data=body,
            auth_injector=injector,
            headers={"Accept": "application/json"},
            timeout=TOKEN_TIMEOUT,
            max_response_bytes=TOKEN_MAX_BYTES,
            allow_redirects=False,
        )
    except OutboundError as exc:
        raise TokenEndpointError(f"The token endpoint could not be reached: {exc}") from None
    try:
        payload = json.loads(response.body or b"{}")
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        raise TokenEndpointError(
            f"The token endpoint answered HTTP {response.status} without a JSON object."
        )
    error = payload.get("error")
    if response.status >= 400 or error:
        if isinstance(error, str) and error in _REJECTED:
            raise GrantRejected(error, _short(payload.get("error_description")))
        raise TokenEndpointError(
            f"The token endpoint answered HTTP {response.status}"
            + (f" ({_short(error)})." if error else ".")
        )
    access = payload.get("access_token")
    if not isinstance(access, str) or not access:
        raise TokenEndpointError("The token endpoint answered without an access token.")
    expires_in = payload.get("expires_in")
    try:
        expires = int(expires_in) if expires_in is not None else None
    except (TypeError, ValueError):
        expires = None
    refresh_token = payload.get("refresh_token")
    return TokenSet(
        access_token=access,
        refresh_token=refresh_token if isinstance(refresh_token, str) else None,
        expires_in=expires,
        scope=payload.get("scope") if isinstance(payload.get("scope"), str) else None,
    )


def _short(value: Any) -> str:
    """A provider's error text, bounded; it never contains our secrets (we sent them)."""
    return str(value)[:200] if value else ""


def expired_signal_matches(signal: Mapping[str, Any] | None, body: bytes) -> bool:
    """True when a 200 body carries the connector's declared token-expired signal.

    ``signal`` = ``{"path": "error", "equals": ["token_expired", "invalid_auth"]}``: a dotted
    path into the JSON body and the values that mean "the access token is no longer valid"
    (e.g. Slack answers HTTP 200 ``{"ok": false, "error": "token_expired"}``).
    """
    if not signal or not isinstance(signal.get("path"), str):
        return False
    try:
        value: Any = json.loads(body)
    except ValueError:
        return False
    for part in signal["path"].split("."):
        if not isinstance(value, dict) or part not in value:
            return False
        value = value[part]
    expected = signal.get("equals")
    expected = expected if isinstance(expected, list) else [expected]
    return value in expected
