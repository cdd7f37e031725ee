"""The request an HTTP request node will send, built and not sent: the editor's live preview.

The block's own ``request_parts`` and the outbound client's ``prepare`` build it, the same
code a run uses, so the preview and the run cannot disagree (default headers, query
encoding, Content-Type and Content-Length of the body included). Expressions are evaluated
on the sample data the editor sends (the last run's or pinned data) by the engine's
evaluator, as ``POST /api/v1/expressions/preview/`` does; without data, or when one reads a
node the sample lacks, it stays as text. A destination the SSRF guard would refuse (or
cannot resolve) is a warning with the error a run would report.

No secret leaves: a credential's injector runs on placeholder values, so it shows as its
kind would send it (``Authorization: Bearer ••••``, ``X-API-Key: ••••``, ``?api_key=••••``)
and its value is never read; headers and query parameters whose names look secret are
masked too (request_masking.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import connection

from apps.blocks.catalog import http_request
from apps.blocks.registry import default_registry, defaults_applied
from apps.blocks.sdk import BlockError
from apps.connectors.outbound import (
    AuthInjector,
    BlockedDestination,
    InvalidRequest,
    OutboundClient,
    PreparedRequest,
    UnresolvableHost,
)
from apps.core.exceptions import InvalidInput
from apps.credentials.exceptions import CredentialNotFound
from apps.credentials.kinds import INJECTORS, KINDS, TOKEN_FIELDS
from apps.credentials.resolver import outbound_http
from apps.credentials.selectors import credential_get_in_workspace
from apps.credentials.services import injector_for
from apps.workflows.engine.expressions import referenced_nodes
from apps.workflows.expression_preview import expression_preview, sample_data_check
from apps.workflows.request_masking import MASK, masked_headers, masked_url

IDEMPOTENCY_PLACEHOLDER = "<the step's idempotency key>"
# While the URL is not valid yet (being typed, or an expression shown as text), the headers
# and body are still built, against this origin, and the URL is shown as typed.
PLACEHOLDER_URL = "https://url.invalid/"
MAX_BODY_CHARS = 16 * 1024


@dataclass
class RequestPreview:
    method: str
    url: str
    headers: list[dict[str, str]]
    body: str | None
    body_bytes: int
    body_truncated: bool = False
    warnings: list[str] = field(default_factory=list)
    # Config fields whose expressions are shown as text (no sample data for them).
    unresolved: list[str] = field(default_factory=list)


def http_request_preview(
    *, workspace_id: Any, config: Mapping[str, Any], data: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The request ``config`` (an http_request node's, as in the draft) describes."""
    if data is not None:
        sample_data_check(data)
    preview = RequestPreview(method="", url="", headers=[], body=None, body_bytes=0)
    resolved = _resolved(_as_stored(config), data, "config", preview)
    block = default_registry.get(http_request.KEY)
    resolved = defaults_applied(block.spec.config_schema, resolved)
    _refuse_invalid(block.validator.iter_errors(resolved))
    try:
        parts = http_request.request_parts(resolved, idempotency_key=IDEMPOTENCY_PLACEHOLDER)
    except BlockError as exc:
        raise InvalidInput(exc.message, fields={"config.body": [exc.message]}) from None
    injector = _masked_injector(workspace_id, resolved.get("credential_id"), preview)
    client = outbound_http()
    url_valid = _url_valid(client, parts.url, preview)
    # A URL still holding an expression is shown as typed (encoded `{{ }}` is unreadable).
    as_typed = not url_valid or "config.url" in preview.unresolved
    prepared = _prepared(client, parts, injector, PLACEHOLDER_URL if as_typed else parts.url)
    secrets = sorted((s for s in injector.secrets() if s) if injector else (), key=len)[::-1]
    if url_valid:
        _destination_check(client, parts.url, preview)
    if as_typed:
        query = (prepared.url or "").partition("?")[2]  # the query parameters alone
        typed = parts.url + ("&" if "?" in parts.url else "?") + query if query else parts.url
        preview.url = masked_url(typed, secrets)
    else:
        preview.url = masked_url(prepared.url or parts.url, secrets)
    preview.method = prepared.method or parts.method
    headers = list(prepared.headers.items())
    if injector is not None and hasattr(injector, "sign"):  # SigV4 signs at send time
        headers.append(("Authorization", f"AWS4-HMAC-SHA256 {MASK}"))
    preview.headers = [{"name": n, "value": v} for n, v in masked_headers(headers, secrets)]
    _body(prepared.body, preview)
    return asdict(preview)


def _as_stored(config: Mapping[str, Any]) -> dict[str, Any]:
    """The config as a run reads it, from the database: PostgreSQL's jsonb orders object
    keys (shortest first), which orders a run's query parameters, headers and JSON body."""
    if connection.vendor != "postgresql":
        return dict(config)
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::jsonb", [json.dumps(dict(config))])
        stored = cursor.fetchone()[0]
    return dict(json.loads(stored) if isinstance(stored, str) else stored)


def _resolved(value: Any, data: Mapping[str, Any] | None, where: str, out: RequestPreview) -> Any:
    """``value`` with each expression evaluated on ``data``, or kept as text."""
    if isinstance(value, dict):
        return {k: _resolved(v, data, f"{where}.{k}", out) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolved(v, data, f"{where}[{i}]", out) for i, v in enumerate(value)]
    if not isinstance(value, str) or "{{" not in value:
        return value
    known = set((data or {}).get("nodes") or {})
    if data is None or not referenced_nodes(value) <= known:
        out.unresolved.append(where)
        return value
    try:
        return expression_preview(field=where, text=value, bare=False, data=data)
    except InvalidInput as exc:
        out.warnings.append(exc.detail)
        out.unresolved.append(where)
        return value


def _refuse_invalid(errors: Any) -> None:
    """The config's schema errors, each at its field, except for values still holding an
    expression (the engine checks those once resolved, and so does a run)."""
    fields: dict[str, list[str]] = {}
    for error in errors:
        if isinstance(error.instance, str) and "{{" in error.instance:
            continue
        path = "config" + "".join(
            f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path
        )
        if error.validator == "required" and isinstance(error.instance, dict):
            for name in [n for n in error.validator_value if n not in error.instance]:
                fields.setdefault(f"{path}.{name}", []).append("This field is required.")
        else:
            fields.setdefault(path, []).append(error.message)
    if fields:
        first = next(iter(fields))
        raise InvalidInput(f"{first}: {fields[first][0]}", fields=fields)


def _masked_injector(workspace_id: Any, credential_id: Any, out: RequestPreview) -> Any:
    """The credential's injector built on placeholder secrets (its values are never read)."""
    if not credential_id:
        return None
    if isinstance(credential_id, str) and "{{" in credential_id:
        out.warnings.append(
            "config.credential_id: the credential is chosen by an expression at run time; "
            "its header is not shown."
        )
        return None
    try:
        credential = credential_get_in_workspace(
            workspace_id=workspace_id, credential_id=credential_id
        )
    except CredentialNotFound:
        message = "No credential with this id in the workspace."
        raise InvalidInput(message, fields={"config.credential_id": [message]}) from None
    if credential.kind not in INJECTORS:
        out.warnings.append(
            f"The credential {credential.name!r} ({credential.get_kind_display()}) does not "
            "authenticate HTTP requests: a run fails."
        )
        return None
    if credential.needs_reauth:
        out.warnings.append(
            f"The credential {credential.name!r} must be reconnected: a run fails until then."
        )
    names = (*KINDS[credential.kind].secret, *TOKEN_FIELDS)
    injector: AuthInjector = injector_for(credential, dict.fromkeys(names, MASK))
    return injector


def _url_valid(client: OutboundClient, url: str, out: RequestPreview) -> bool:
    """Whether the client accepts the URL as written (scheme, host, no user:password)."""
    try:
        client.policy.check_url(url)
    except (InvalidRequest, BlockedDestination) as exc:
        if "config.url" not in out.unresolved:  # else it is only an expression for now
            out.warnings.append(f"config.url: {_reason(exc)}")
        return False
    return True


def _prepared(client: OutboundClient, parts: Any, injector: Any, url: str) -> PreparedRequest:
    try:
        return client.prepare(
            parts.method,
            url,
            params=parts.params,
            headers=parts.headers,
            auth_injector=injector,
            **parts.body,
        )
    except InvalidRequest as exc:
        where = "config.headers" if "header" in str(exc) else "config.body"
        raise InvalidInput(f"{where}: {exc}", fields={where: [str(exc)]}) from None


def _reason(exc: Exception) -> str:
    if isinstance(exc, BlockedDestination):
        return exc.reason
    return str(exc)


def _destination_check(client: OutboundClient, url: str, out: RequestPreview) -> None:
    """What the SSRF guard says about the addresses the name resolves to now."""
    try:
        client.policy.check_destination(url)
    except BlockedDestination as exc:
        out.warnings.append(http_request.refused_destination(exc))
    except (UnresolvableHost, InvalidRequest) as exc:
        out.warnings.append(f"{http_request.KEY}: {exc}")


def _body(body: Any, out: RequestPreview) -> None:
    if body is None:
        return
    raw = body.encode() if isinstance(body, str) else bytes(body)
    out.body_bytes = len(raw)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        out.body = f"({len(raw)} bytes, not UTF-8 text)"
        return
    out.body_truncated = len(text) > MAX_BODY_CHARS
    out.body = text[:MAX_BODY_CHARS]
