"""What blocks get as ``ctx.secrets`` and ``ctx.http``: the run-time credential surface.

The Runner of every execution (and of a node test run) is built with::

    Runner(..., secrets=secrets_for(workspace_id=..., execution_id=...), http=outbound_http())

``ctx.http`` is the platform's one ``OutboundClient`` (``apps.connectors.outbound``; SSRF
policy from ``settings.OUTBOUND_ALLOWLIST``, shared state in the Django cache). Call
``ctx.http.request(method, url, auth_injector=..., headers=..., params=..., json=..., data=...,
timeout=(connect, read), max_response_bytes=..., target=TargetPolicy(...))``; it returns an
``OutboundResponse`` (``status``, ``headers``, ``body``, ``text``, ``json()``) and raises
``OutboundError`` subclasses (``RateLimited``/``CircuitOpen`` carry ``retry_after``).

``ctx.secrets`` is a ``WorkspaceSecrets`` bound to the execution's workspace:

``ctx.secrets.auth_for(credential_id) -> AuthInjector``
    For api_key (header or query), bearer, basic, oauth2_code, oauth2_client and aws_sigv4
    credentials (the last signs the finished request; apps/connectors/outbound/sigv4.py).
    Pass it as ``auth_injector=`` to ``ctx.http.request``: the client adds it only for the
    origin the call was made for and scrubs its values from errors and logs. OAuth access
    tokens that expire within ``CREDENTIAL_REFRESH_MARGIN_SECONDS`` are refreshed first.

``ctx.secrets.values_for(credential_id) -> dict``
    The credential's settings and secret fields as one dict, for protocols that are not an
    HTTP header (SMTP: ``host``, ``port`` (optional), ``username``, ``password``, ``starttls``,
    ``ssl``, ``from`` (optional); api_key: ``api_key``, ``location``, ``name``, ``prefix``;
    basic: ``username``, ``password``; bearer: ``token``; OAuth: the settings and a current
    ``access_token`` only - never the client secret or refresh token).
    Never put these values in outputs, logs or error messages.

``ctx.secrets.request(credential_id, method, url, **kwargs) -> OutboundResponse``
    ``ctx.http.request`` with the credential injected, plus the OAuth retry rule: on a 401,
    or a 200 whose body carries the connector's declared token-expired signal, the token is
    refreshed once (one refresher per credential across workers) and the call is repeated
    once. Use it instead of ``auth_for`` + ``http.request`` whenever you can.

``ctx.secrets.refresh(credential_id, stale=injector) -> AuthInjector``
    Force the refresh ``request`` does, for blocks that must send the call themselves.

``ctx.secrets.redact(text, credential_id) -> str``
    ``text`` with that credential's secret values (and their encodings) replaced by
    ``[redacted]`` (values shorter than six characters are left alone).

Errors are ``apps.blocks.sdk.BlockError`` subclasses, so an unhandled one fails the step
cleanly: ``CredentialUnavailable`` (``code="credential_not_found"``: unknown id, or a credential
of another workspace - both look the same), ``CredentialNeedsReauth`` (the user must
reconnect; not retryable), ``CredentialRefreshFailed`` (token endpoint down; retryable) and,
from ``auth_for`` on an SMTP credential, a ``BlockError`` with ``code="credential_kind"``.

Each resolution is audited as ``credential.used`` (at most once per credential per minute).

Every secret value a run's ``WorkspaceSecrets`` resolves (with the forms an injector sends,
such as ``base64(user:password)``) is remembered for that execution in this process, and
``run_scrub(execution_id, value)`` redacts them from anything the run stores: a server that
echoes the request (headers, body, a query key in a path) must not put the credential into a
step output that every viewer of the workspace can read.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Any

from apps.blocks.sdk import BlockError
from apps.connectors.outbound import AuthInjector, OutboundClient, OutboundResponse
from apps.core.redaction import redact
from apps.credentials import kinds, services
from apps.credentials.exceptions import CredentialNotFound, CredentialUnavailable
from apps.credentials.models import Credential
from apps.credentials.oauth import expired_signal_matches
from apps.credentials.selectors import credential_get_in_workspace

__all__ = ["WorkspaceSecrets", "outbound_http", "run_scrub", "secrets_for"]

K = Credential.Kind

# execution id -> secret values resolved for it in this process. Steps are stored by the
# process that ran them, so this is all a step's record can contain; bounded, oldest first.
_RUN_SECRETS: OrderedDict[str, frozenset[str]] = OrderedDict()
_RUN_SECRETS_MAX = 1024
_run_secrets_lock = threading.Lock()


def _remember(execution_id: str | None, values: Iterable[Any]) -> None:
    if execution_id is None:
        return
    found = {v for v in values if isinstance(v, str) and v}
    with _run_secrets_lock:
        known = _RUN_SECRETS.pop(execution_id, frozenset())
        _RUN_SECRETS[execution_id] = known | found
        while len(_RUN_SECRETS) > _RUN_SECRETS_MAX:
            _RUN_SECRETS.popitem(last=False)


def run_scrub(execution_id: Any, value: Any) -> Any:
    """``value`` (JSON data) with the secrets the execution used redacted, as a copy."""
    with _run_secrets_lock:
        secrets = _RUN_SECRETS.get(str(execution_id))
    if not secrets or value is None:
        return value

    def clean(item: Any) -> Any:
        if isinstance(item, str):
            return redact(item, secrets)
        if isinstance(item, dict):
            return {redact(str(k), secrets): clean(v) for k, v in item.items()}
        if isinstance(item, list | tuple):
            return [clean(v) for v in item]
        return item

    return clean(value)


def outbound_http() -> OutboundClient:
    """``ctx.http``: the process's guarded client for the configured allow-list."""
    return services.outbound_http()


def secrets_for(*, workspace_id: Any, execution_id: Any = None) -> WorkspaceSecrets:
    """``ctx.secrets`` for one execution of a workspace."""
    return WorkspaceSecrets(workspace_id, execution_id=execution_id)


class WorkspaceSecrets:
    """Credential access for blocks, limited to one workspace."""

    def __init__(
        self, workspace_id: Any, *, execution_id: Any = None, client: OutboundClient | None = None
    ) -> None:
        self._workspace_id = workspace_id
        self._execution_id = str(execution_id) if execution_id else None
        self._client = client

    def __repr__(self) -> str:
        return f"<WorkspaceSecrets workspace={self._workspace_id}>"

    @property
    def http(self) -> OutboundClient:
        return self._client or outbound_http()

    def _credential(self, credential_id: Any) -> Credential:
        try:
            credential = credential_get_in_workspace(
                workspace_id=self._workspace_id, credential_id=credential_id
            )
        except CredentialNotFound:
            raise CredentialUnavailable() from None
        services.credential_mark_used(credential=credential, execution_id=self._execution_id)
        return credential

    def _secret(self, credential: Credential) -> dict[str, str]:
        if credential.kind in services.OAUTH_KINDS:
            secret = services.oauth_secret_current(credential=credential, client=self.http)
        else:
            secret = services.secret_open(credential)
        self._remember(credential, secret)
        return secret

    def _remember(self, credential: Credential, secret: Mapping[str, str]) -> None:
        values: list[Any] = list(secret.values())
        if credential.kind in kinds.INJECTORS and (
            credential.kind not in services.OAUTH_KINDS or secret.get("access_token")
        ):
            values.extend(services.injector_for(credential, secret).secrets())
        _remember(self._execution_id, values)

    def auth_for(self, credential_id: Any) -> AuthInjector:
        credential = self._credential(credential_id)
        if credential.kind not in kinds.INJECTORS:
            raise BlockError(
                f"Credential {credential.name!r} ({credential.get_kind_display()}) "
                "does not authenticate HTTP requests; use values_for().",
                code="credential_kind",
            )
        return services.injector_for(credential, self._secret(credential))

    def values_for(self, credential_id: Any) -> dict[str, Any]:
        credential = self._credential(credential_id)
        secret = self._secret(credential)
        if credential.kind in services.OAUTH_KINDS:
            # A block needs the access token, never what mints new ones.
            secret = {"access_token": secret.get("access_token", "")}
        return {**credential.public_data, **secret}

    def refresh(self, credential_id: Any, *, stale: AuthInjector | None = None) -> AuthInjector:
        credential = self._credential(credential_id)
        if credential.kind not in services.OAUTH_KINDS:
            return services.injector_for(credential, services.secret_open(credential))
        stale_token = getattr(stale, "token", None) if stale is not None else None
        if stale_token is None:
            stale_token = services.secret_open(credential).get("access_token", "")
        secret = services.token_refresh(
            credential_id=credential.pk, stale_access_token=stale_token, client=self.http
        )
        self._remember(credential, secret)
        return services.injector_for(credential, secret)

    def request(self, credential_id: Any, method: str, url: str, **kwargs: Any) -> OutboundResponse:
        credential = self._credential(credential_id)
        injector = services.injector_for(credential, self._secret(credential))
        response = self.http.request(method, url, auth_injector=injector, **kwargs)
        if credential.kind in services.OAUTH_KINDS and self._token_expired(credential, response):
            injector = self.refresh(credential_id, stale=injector)
            response = self.http.request(method, url, auth_injector=injector, **kwargs)
        return response

    def redact(self, text: str, credential_id: Any) -> str:
        try:
            credential = credential_get_in_workspace(
                workspace_id=self._workspace_id, credential_id=credential_id
            )
        except CredentialNotFound:
            return text
        return redact(text, services.secret_values(credential))

    @staticmethod
    def _token_expired(credential: Credential, response: OutboundResponse) -> bool:
        if response.status == 401:
            return True
        signal = credential.public_data.get("expired_signal")
        if signal is None and credential.connector is not None:
            # Declared by the connector (auth scheme ``token_expired_signal``), read live so an
            # operator's edit applies to existing credentials too.
            signal = kinds.oauth_defaults_from_connector(
                credential.kind, credential.connector.auth_schemes
            ).get("expired_signal")
        return (
            response.status == 200
            and isinstance(signal, Mapping)
            and expired_signal_matches(signal, response.body)
        )
