"""Connector operation: call any operation of the connector catalogue with a stored credential.

Host service contract (``ctx.services["connectors"]``)::

    operation(slug: str, key: str) -> Mapping | None

answers the enabled operation ``key`` of the enabled connector ``slug`` as plain data, or
None (or raises ``LookupError``) when there is no such operation:

    {"method": "GET", "path": "/repos/{owner}/{repo}/issues",
     "base_url": "https://api.github.com",
     "parameters_schema": {"type": "object", "properties": {"owner": {"type": "string",
                           "x-in": "path"}, ...}, "required": [...]},
     "body_schema": {...} | None, "body_content_type": "application/json" | ""}

which is what ``ConnectorOperation`` rows hold (``base_url`` from their ``Connector``).
An optional ``"target"`` (an ``apps.connectors.outbound.TargetPolicy`` built from the
connector's rate limit, retry and breaker settings) is passed to ``ctx.http.request`` as
is, so the connector's policies apply to every call of every workflow.
``parameters_schema`` is the importer's shape: one object schema whose properties carry
``x-in`` (``path``, ``query`` or ``header``) and, when two parameters share a name,
``x-name`` (the wire name). Parameters are validated against it before anything is sent
(an error names the parameter); path parameters are percent-escaped, so a value cannot add
path segments. The request goes through ``ctx.http`` with ``ctx.secrets.auth_for`` when a
``credential_id`` is set.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from apps.blocks.catalog import _outbound
from apps.blocks.sdk import (
    BlockContext,
    BlockError,
    BlockResult,
    BlockSpec,
    Category,
    Policies,
    RetryPolicy,
    UiHint,
    register,
)

KEY = "connector_operation"
PATH_PARAM = re.compile(r"{([^{}/]+)}")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["connector", "operation"],
    "properties": {
        "connector": {
            "type": "string",
            "minLength": 1,
            "maxLength": 80,
            "description": "Connector slug from the catalogue.",
        },
        "operation": {
            "type": "string",
            "minLength": 1,
            "maxLength": 150,
            "description": "Operation key of that connector.",
        },
        "parameters": {"type": "object", "default": {}},
        "body": {"description": "Request body (JSON value, or an object for form bodies)."},
        "credential_id": {"type": ["string", "null"], "default": None},
        "base_url": {
            "type": ["string", "null"],
            "default": None,
            "description": "Override the connector's base URL (self-hosted API).",
        },
        "timeout_s": {"type": "number", "exclusiveMinimum": 0, "maximum": 300, "default": 30},
        "fail_on_status": {"type": "boolean", "default": True},
    },
}

SPEC = BlockSpec(
    key=KEY,
    version=1,
    title="Connector operation",
    category=Category.HTTP,
    icon="plug",
    description="Run one operation of a catalogue connector with a stored credential.",
    config_schema=CONFIG_SCHEMA,
    ui={
        "connector": UiHint(placeholder="github", inline=True),
        "operation": UiHint(placeholder="list_issues", inline=True),
        "parameters": UiHint(widget="key_value"),
        "body": UiHint(widget="code"),
        "credential_id": UiHint(widget="credential"),
    },
    outputs={"status": "integer", "ok": "boolean", "headers": "object", "body": "json"},
    policies=Policies(
        timeout_s=330,
        retry=RetryPolicy(max_attempts=3, backoff="exponential", base_s=1.0, max_s=60.0),
    ),
)


def _operation(ctx: BlockContext, slug: str, key: str) -> Mapping[str, Any]:
    catalogue = ctx.services.get("connectors")
    if catalogue is None:
        raise BlockError(
            f"{KEY}: this host provides no connector catalogue (ctx.services['connectors'])",
            code="not_configured",
        )
    try:
        found = catalogue.operation(slug, key)
    except LookupError:
        found = None
    if not found:
        raise BlockError(
            f"{KEY}: connector {slug!r} has no enabled operation {key!r}", code="unknown_operation"
        )
    return found


def _path(error: Any) -> str:
    parts = [str(p) for p in error.absolute_path]
    if error.validator == "required":
        missing = re.match(r"'([^']+)'", error.message)
        if missing:
            parts.append(missing.group(1))
    return ".".join(parts)


def _validate(schema: Any, value: Any, what: str, slug: str, key: str) -> None:
    if not isinstance(schema, Mapping) or not schema:
        return
    try:
        validator = Draft202012Validator(dict(schema))
        errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
    except SchemaError:
        raise BlockError(
            f"{KEY}: the catalogue's {what} schema of {slug}.{key} is invalid",
            code="invalid_operation",
        ) from None
    if errors:
        first = errors[0]
        where = _path(first)
        label = f"{what} {where!r}" if where else what
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise BlockError(
            f"{KEY}: {slug}.{key}: {label}: {first.message}{more}", code="invalid_parameters"
        )


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def build_request(
    operation: Mapping[str, Any], parameters: Mapping[str, Any], base_url: str
) -> tuple[str, list[tuple[str, str]], dict[str, str]]:
    """URL (path parameters escaped), query pairs and headers for one call."""
    properties = (operation.get("parameters_schema") or {}).get("properties") or {}
    path_values: dict[str, str] = {}
    query: list[tuple[str, str]] = []
    headers: dict[str, str] = {}
    for name, value in parameters.items():
        prop = properties.get(name) or {}
        where = prop.get("x-in", "query")
        wire = str(prop.get("x-name", name))
        if value is None:
            continue
        if where == "path":
            path_values[wire] = quote(_scalar(value), safe="")
        elif where == "header":
            headers[wire] = _scalar(value)
        else:
            for item in value if isinstance(value, list) else [value]:
                query.append((wire, _scalar(item)))
    template = str(operation.get("path") or "")

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in path_values:
            raise BlockError(
                f"{KEY}: path parameter {name!r} is required", code="invalid_parameters"
            )
        return path_values[name]

    path = PATH_PARAM.sub(fill, template)
    if not base_url:
        raise BlockError(
            f"{KEY}: the operation has no base URL; set base_url", code="invalid_operation"
        )
    return base_url.rstrip("/") + "/" + path.lstrip("/"), query, headers


@register(SPEC)
@_outbound.parks_when_told_to_wait
def execute(ctx: BlockContext, config: Mapping[str, Any], inputs: Mapping[str, Any]) -> BlockResult:
    """Validate the parameters against the catalogue, then send the call with the credential."""
    slug, key = str(config["connector"]), str(config["operation"])
    operation = _operation(ctx, slug, key)
    parameters = config.get("parameters") or {}
    if not isinstance(parameters, Mapping):
        raise BlockError(f"{KEY}: parameters must be an object", code="invalid_config")
    _validate(operation.get("parameters_schema"), dict(parameters), "parameter", slug, key)
    body = config.get("body")
    if body is not None:
        _validate(operation.get("body_schema"), body, "body", slug, key)
    url, query, headers = build_request(
        operation, parameters, str(config.get("base_url") or operation.get("base_url") or "")
    )
    content_type = str(operation.get("body_content_type") or "application/json")
    payload: dict[str, Any] = {}
    if body is not None:
        if content_type.startswith(FORM_TYPES) and isinstance(body, Mapping):
            payload["data"] = {str(k): _scalar(v) for k, v in body.items()}
        else:
            payload["json"] = body
    # One retry layer per call: a connector's curated policy retries in the client, and
    # what fails after it is not retried again by the step; otherwise the step retries.
    curated = operation.get("target") is not None
    if curated:
        payload["target"], payload["retries"] = operation["target"], True
    host = _outbound.host_of(url)
    method = str(operation.get("method") or "GET")

    def final(error: BlockError) -> BlockError:
        if curated:
            return _outbound.retried_already(error)
        return _outbound.once_unless_repeatable(method, headers, error)

    try:
        response = _outbound.request(
            ctx,
            KEY,
            method,
            url,
            params=query,
            headers=headers,
            timeout=_outbound.timeout_for(ctx, float(config.get("timeout_s", 30))),
            credential_id=config.get("credential_id"),
            **payload,
        )
    except BlockError as exc:
        raise final(exc) from None
    redact = _outbound.redactor(ctx, config.get("credential_id"))
    ok = 200 <= response.status < 300
    if not ok and config.get("fail_on_status", True):
        raise final(_outbound.status_error(f"{KEY} {slug}.{key}", response, host, redact))
    return BlockResult(
        outputs={
            "status": response.status,
            "ok": ok,
            "headers": {str(k).lower(): str(v) for k, v in response.headers.items()},
            "body": _outbound.decode_body(KEY, response, "auto", 0, redact),
        }
    )
