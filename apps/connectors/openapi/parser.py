"""OpenAPI 3 (and Swagger 2.0, converted) documents to ``ApiSpec``.

``load_document`` reads YAML or JSON; ``parse_document`` turns the mapping into neutral
dataclasses. Both raise ``OpenAPIError`` for input that cannot be imported. Nothing here
touches the database or the network.

One module, past the ~400-line guideline on purpose: it is one translation, a document to an
``ApiSpec`` (with the defaults derived from it: health check, connector utterances); refs,
schemas, text and Swagger 2.0 already live in their own modules beside it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import yaml

from . import swagger2
from .errors import OpenAPIError
from .refs import RefResolver
from .schema import to_json_schema
from .text import clean_markdown, first_sentence, humanize_identifier, truncate, utterances_for
from .types import ApiSpec, AuthScheme, OperationSpec

METHODS = ("get", "post", "put", "patch", "delete", "head")  # OPTIONS/TRACE are not imported
KEY_MAX_LENGTH = 150
_KEY_OK = re.compile(r"^[A-Za-z0-9_.:\-/]+$")
_SKIPPED_HEADERS = frozenset(
    {"authorization", "content-type", "accept", "content-length", "user-agent", "host", "cookie"}
)
_BODY_PREFERENCE = (
    "application/json",
    "+json",
    "json",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "text/plain",
)
_HEALTH_HINTS = (
    "/me",
    "/user",
    "/users/me",
    "/account",
    "/profile",
    "/whoami",
    "/ping",
    "/health",
    "/status",
    "/auth.test",
    "/api/v1/me",
    "/self",
    "/info",
)


class _NoTimestampLoader(yaml.SafeLoader):
    """Safe YAML that keeps dates as strings (``version: 2021-01-01`` stays text)."""


_NoTimestampLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_document(data: bytes | str) -> dict[str, Any]:
    """Parse a JSON or YAML document into a mapping (no custom tags, dates stay text)."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise OpenAPIError("The document is not UTF-8 text.") from None
    text = data.strip()
    if not text:
        raise OpenAPIError("The document is empty.")
    try:
        if text.startswith("{"):
            document = json.loads(text)
        else:
            document = yaml.load(text, Loader=_NoTimestampLoader)  # noqa: S506 - a SafeLoader
    except (ValueError, yaml.YAMLError) as exc:
        raise OpenAPIError(f"The document is neither valid JSON nor YAML: {exc}") from None
    except RecursionError:
        raise OpenAPIError("The document is nested too deeply.") from None
    if not isinstance(document, dict):
        raise OpenAPIError("The document is not a mapping.")
    return document


@dataclass(frozen=True)
class ParseOptions:
    """Bounds that keep imported schemas useful and small."""

    max_ref_depth: int = 6  # references expanded inside references before cutting
    schema_budget: int = 6_000  # nodes copied per parameter/body schema before cutting
    schema_depth: int = 12  # nesting kept in a stored schema
    schema_description_limit: int | None = 300
    operation_description_limit: int = 1_500
    max_operations: int | None = None
    utterances_per_operation: int = 4
    # A response schema larger than this (JSON characters) is stored shallower, else not at all.
    response_schema_chars: int = 12_000


def parse_document(
    document: Mapping[str, Any], *, options: ParseOptions | None = None, source_url: str = ""
) -> ApiSpec:
    """An ``ApiSpec`` from an OpenAPI 3.x or Swagger 2.0 mapping."""
    options = options or ParseOptions()
    document = dict(document)
    if str(document.get("swagger", "")).startswith("2"):
        document = swagger2.convert(document)
        source_format = "swagger 2.0 (converted)"
    elif str(document.get("openapi", "")).startswith("3"):
        source_format = f"openapi {document['openapi']}"
    else:
        raise OpenAPIError("Not an OpenAPI 3 or Swagger 2.0 document (no 'openapi: 3.x' field).")
    if not isinstance(document.get("paths"), dict):
        raise OpenAPIError("The document has no 'paths'.")
    try:
        return _parse(document, options, source_format, source_url)
    except RecursionError:
        raise OpenAPIError("The document is nested too deeply.") from None


def _parse(
    document: dict[str, Any], options: ParseOptions, source_format: str, source_url: str
) -> ApiSpec:
    resolver = RefResolver(document, max_depth=options.max_ref_depth, budget=options.schema_budget)
    info = document.get("info") if isinstance(document.get("info"), dict) else {}
    title = clean_markdown(str(info.get("title") or "")).strip() or "Untitled API"
    description = truncate(clean_markdown(info.get("description")), 1_000)
    logo = info.get("x-logo") if isinstance(info.get("x-logo"), dict) else {}
    docs = document.get("externalDocs") if isinstance(document.get("externalDocs"), dict) else {}
    spec = ApiSpec(
        title=truncate(title, 120),
        version=truncate(str(info.get("version") or ""), 40),
        description=description,
        base_url=_base_url(document, source_url),
        docs_url=_http_url(docs.get("url")),
        icon=_http_url(logo.get("url")),
        auth_schemes=_auth_schemes(document, resolver),
        categories=[
            str(c)
            for c in info.get("x-apisguru-categories") or []
            if isinstance(c, str) and len(c) > 1
        ],
        source_format=source_format,
    )
    spec.operations = _operations(document, resolver, options, spec.auth_schemes)
    if not spec.operations:
        raise OpenAPIError("The document describes no operations.")
    spec.health_check_operation = guess_health_check(spec.operations)
    spec.utterances = connector_utterances(spec)
    spec.warnings = resolver.warnings
    return spec


def _http_url(value: Any) -> str:
    if isinstance(value, str) and urlsplit(value).scheme in ("http", "https"):
        return value[:500]
    return ""


def _base_url(document: dict[str, Any], source_url: str) -> str:
    servers = [s for s in document.get("servers") or [] if isinstance(s, dict)]
    # https first: several documents list a plain-http twin of the same server.
    servers.sort(key=lambda s: not str(s.get("url", "")).startswith("https:"))
    for server in servers:
        if not isinstance(server, dict) or not isinstance(server.get("url"), str):
            continue
        url = server["url"]
        for name, variable in (server.get("variables") or {}).items():
            if isinstance(variable, dict) and "default" in variable:
                url = url.replace("{" + name + "}", str(variable["default"]))
        if url.startswith("//"):  # protocol-relative: the documents mean https
            url = "https:" + url
        if source_url and not urlsplit(url).scheme:
            url = urljoin(source_url, url)
        if urlsplit(url).scheme in ("http", "https") and "{" not in url:
            return url.rstrip("/")[:500]
    return ""


def _auth_schemes(document: dict[str, Any], resolver: RefResolver) -> list[AuthScheme]:
    components = document.get("components") if isinstance(document.get("components"), dict) else {}
    schemes = components.get("securitySchemes") or {}
    result: list[AuthScheme] = []
    for key, raw in schemes.items() if isinstance(schemes, dict) else ():
        scheme = resolver.deref(raw)
        if not isinstance(scheme, dict):
            continue
        kind = scheme.get("type")
        description = truncate(clean_markdown(scheme.get("description")), 300)
        if kind == "apiKey" and scheme.get("x-amazon-apigateway-authtype"):
            result.append(
                AuthScheme(
                    key=str(key),
                    kind="aws_sigv4",
                    description=description,
                    location="header",
                    name="Authorization",
                )
            )
        elif kind == "apiKey":
            result.append(
                AuthScheme(
                    key=str(key),
                    kind="api_key",
                    description=description,
                    location=str(scheme.get("in", "header")),
                    name=str(scheme.get("name", "")),
                )
            )
        elif kind == "http":
            http = str(scheme.get("scheme", "")).lower()
            result.append(
                AuthScheme(
                    key=str(key),
                    description=description,
                    scheme=http,
                    kind={"bearer": "http_bearer", "basic": "http_basic"}.get(http, "http_other"),
                    bearer_format=str(scheme.get("bearerFormat", "")),
                )
            )
        elif kind == "oauth2":
            result.append(
                AuthScheme(
                    key=str(key),
                    kind="oauth2",
                    description=description,
                    flows=_oauth_flows(scheme.get("flows") or {}),
                )
            )
        elif kind == "openIdConnect":
            result.append(
                AuthScheme(
                    key=str(key),
                    kind="openid_connect",
                    description=description,
                    openid_connect_url=_http_url(scheme.get("openIdConnectUrl")),
                )
            )
    return result


_FLOW_NAMES = {
    "authorizationCode": "authorization_code",
    "clientCredentials": "client_credentials",
    "implicit": "implicit",
    "password": "password",
}


def _oauth_flows(flows: dict[str, Any]) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = {}
    for name, flow in flows.items():
        if name not in _FLOW_NAMES or not isinstance(flow, dict):
            continue
        scopes = flow.get("scopes") if isinstance(flow.get("scopes"), dict) else {}
        entry: dict[str, Any] = {
            "authorization_url": _http_url(flow.get("authorizationUrl")),
            "token_url": _http_url(flow.get("tokenUrl")),
            "refresh_url": _http_url(flow.get("refreshUrl")),
            "scopes": {
                str(scope): truncate(clean_markdown(str(text or "")), 120)
                for scope, text in scopes.items()
            },
        }
        result[_FLOW_NAMES[name]] = {k: v for k, v in entry.items() if v or k == "scopes"}
    return result


def _operation_key(op: dict[str, Any], method: str, path: str) -> str:
    operation_id = op.get("operationId")
    if isinstance(operation_id, str) and operation_id.strip():
        key = operation_id.strip()
        if not _KEY_OK.match(key):
            key = re.sub(r"[^A-Za-z0-9_.:\-/]+", "_", key).strip("_")
    else:
        slug = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_").lower() or "root"
        key = f"{method}_{slug}"
    if len(key) > KEY_MAX_LENGTH:
        digest = hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:8]
        key = f"{key[: KEY_MAX_LENGTH - 9]}~{digest}"
    return key


def _operations(
    document: dict[str, Any],
    resolver: RefResolver,
    options: ParseOptions,
    auth_schemes: list[AuthScheme],
) -> list[OperationSpec]:
    credential_params = frozenset(
        (s.location, s.name.lower()) for s in auth_schemes if s.kind == "api_key" and s.name
    )
    operations: list[OperationSpec] = []
    seen: Counter[str] = Counter()
    for path, raw_item in document["paths"].items():
        item = resolver.deref(raw_item)
        if not isinstance(item, dict) or not isinstance(path, str):
            continue
        path_params = item.get("parameters") if isinstance(item.get("parameters"), list) else []
        for method in METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            key = _operation_key(op, method, path)
            seen[key] += 1
            if seen[key] > 1:  # duplicated operationIds exist in published documents
                key = f"{key[: KEY_MAX_LENGTH - 4]}_{seen[key]}"
            operations.append(
                _operation(key, method, path, op, path_params, resolver, options, credential_params)
            )
            if options.max_operations and len(operations) >= options.max_operations:
                return operations
    return operations


def _operation(
    key: str,
    method: str,
    path: str,
    op: dict[str, Any],
    path_params: list[Any],
    resolver: RefResolver,
    options: ParseOptions,
    credential_params: frozenset[tuple[str, str]],
) -> OperationSpec:
    summary = op.get("summary") if isinstance(op.get("summary"), str) else ""
    raw_description = op.get("description") if isinstance(op.get("description"), str) else ""
    name = first_sentence(clean_markdown(summary), 200)
    if not name:
        lead = first_sentence(clean_markdown(raw_description), 200)
        name = lead.rstrip(".") if 0 < len(lead) <= 100 else ""
    name = (
        name.rstrip(".")
        or (humanize_identifier(key) if op.get("operationId") else "")
        or (f"{method.upper()} {path}")
    )
    description = truncate(
        clean_markdown(raw_description or summary), options.operation_description_limit
    )
    parameters_schema = _parameters_schema(
        path_params, op.get("parameters") or [], path, resolver, options, credential_params
    )
    body_schema, content_type = _body_schema(op.get("requestBody"), resolver, options)
    response_schema = _response_schema(op.get("responses"), resolver, options)
    tags = [str(tag)[:80] for tag in op.get("tags") or [] if isinstance(tag, str | int)]
    return OperationSpec(
        key=key,
        name=truncate(name[:1].upper() + name[1:], 200),
        method=method.upper(),
        path=path[:500],
        description=description,
        parameters_schema=parameters_schema,
        body_schema=body_schema,
        body_content_type=content_type,
        response_schema=response_schema,
        utterances=utterances_for(
            summary=summary,
            description=raw_description,
            key=key if op.get("operationId") else "",
            limit=options.utterances_per_operation,
        ),
        tags=tags[:5],
        deprecated=op.get("deprecated") is True,
        summary=summary,
        raw_description=raw_description,
    )


def _parameters_schema(
    path_params: list[Any],
    op_params: list[Any],
    path: str,
    resolver: RefResolver,
    options: ParseOptions,
    credential_params: frozenset[tuple[str, str]] = frozenset(),
) -> dict[str, Any]:
    """Path, query and header parameters as one object schema; ``x-in`` says where each goes."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for raw in [*path_params, *op_params]:  # operation-level ones override path-level ones
        param = resolver.deref(raw)
        if (
            isinstance(param, dict)
            and isinstance(param.get("name"), str)
            and param.get("in") in ("path", "query", "header")
        ):
            merged[(param["name"], param["in"])] = param
    for name in re.findall(r"{([^}/]+)}", path):  # templated but undeclared: still required
        merged.setdefault(
            (name, "path"),
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}},
        )
    properties: dict[str, Any] = {}
    required: list[str] = []
    for (name, where), param in merged.items():
        if where == "header" and name.lower() in _SKIPPED_HEADERS:
            continue
        if (where, name.lower()) in credential_params:  # the credential injector adds it
            continue
        raw_schema = param.get("schema")
        if raw_schema is None and isinstance(param.get("content"), dict):
            media = next(iter(param["content"].values()), {})
            raw_schema = media.get("schema") if isinstance(media, dict) else None
        schema = to_json_schema(
            resolver.resolve(raw_schema or {"type": "string"}),
            description_limit=options.schema_description_limit,
            max_depth=options.schema_depth,
        )
        if not isinstance(schema, dict):
            schema = {}
        description = truncate(
            clean_markdown(param.get("description")), options.schema_description_limit or 10_000
        )
        if description:
            schema["description"] = description
        if param.get("deprecated") is True:
            schema["deprecated"] = True
        prop_name = name if name not in properties else f"{where}.{name}"
        schema["x-in"] = where
        if prop_name != name:
            schema["x-name"] = name
        properties[prop_name] = schema
        if where == "path" or param.get("required") is True:
            required.append(prop_name)
    result: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        result["required"] = required
    result["additionalProperties"] = False
    return result


def _body_schema(
    raw_body: Any, resolver: RefResolver, options: ParseOptions
) -> tuple[dict[str, Any] | None, str]:
    body = resolver.deref(raw_body)
    if not isinstance(body, dict) or not isinstance(body.get("content"), dict):
        return None, ""
    content = body["content"]
    media_type = ""
    for preference in _BODY_PREFERENCE:
        media_type = next(
            (
                m
                for m in content
                if isinstance(m, str)
                and (
                    m.split(";")[0].strip() == preference
                    or m.endswith(preference)
                    or (preference == "json" and "json" in m)
                )
            ),
            "",
        )
        if media_type:
            break
    if not media_type:
        media_type = next(iter(content), "")
    media = content.get(media_type)
    raw_schema = media.get("schema") if isinstance(media, dict) else None
    if raw_schema is None:
        return ({"description": "Raw request body."} if media_type else None), str(media_type)
    schema = to_json_schema(
        resolver.resolve(raw_schema),
        for_request=True,
        description_limit=options.schema_description_limit,
        max_depth=options.schema_depth,
    )
    if isinstance(schema, dict) and body.get("description") and "description" not in schema:
        description = truncate(
            clean_markdown(body["description"]), options.schema_description_limit or 10_000
        )
        if description:
            schema["description"] = description
    return (schema if isinstance(schema, dict) else {}), str(media_type)[:100]


def _json_media(content: Mapping[str, Any]) -> str | None:
    for preference in _BODY_PREFERENCE[:3]:  # the JSON ones
        for media in content:
            if isinstance(media, str) and (
                media.split(";")[0].strip() == preference
                or media.endswith(preference)
                or (preference == "json" and "json" in media)
            ):
                return media
    return None


def _response_schema(
    raw_responses: Any, resolver: RefResolver, options: ParseOptions
) -> dict[str, Any] | None:
    """The JSON schema of the first 2xx response that has one (``$ref``s resolved, no
    descriptions: it says what a call returns, for pickers such as a poll's paths), made
    shallower until it fits ``response_schema_chars``; None when there is none or it never
    fits."""
    responses = resolver.deref(raw_responses)
    if not isinstance(responses, dict):
        return None
    by_status = {str(status): response for status, response in responses.items()}  # YAML: ints
    for status in sorted(s for s in by_status if re.fullmatch(r"2(\d\d|XX)", s, re.I)):
        response = resolver.deref(by_status[status])
        content = response.get("content") if isinstance(response, dict) else None
        media = _json_media(content) if isinstance(content, dict) else None
        entry = content.get(media) if media and isinstance(content, dict) else None
        if not isinstance(entry, dict) or not isinstance(entry.get("schema"), dict):
            continue
        resolved = resolver.resolve(entry["schema"])
        for depth in range(options.schema_depth, 1, -1):
            schema = to_json_schema(resolved, description_limit=0, max_depth=depth)
            if (
                isinstance(schema, dict)
                and len(json.dumps(schema)) <= options.response_schema_chars
            ):
                return schema or None
        return None
    return None


def guess_health_check(operations: list[OperationSpec]) -> str:
    """A cheap read that proves a credential works: GET, no required input, "me"-like path."""
    candidates = [
        op
        for op in operations
        if op.method == "GET" and not op.deprecated and not op.parameters_schema.get("required")
    ]
    if not candidates:
        return ""

    def score(op: OperationSpec) -> tuple[int, int, int]:
        path = op.path.lower().rstrip("/")
        hinted = any(path.endswith(hint) for hint in _HEALTH_HINTS)
        return (0 if hinted else 1, path.count("/"), len(path))

    return min(candidates, key=score).key


def short_title(title: str) -> str:
    """Drop "API" and friends: "Gmail API" -> "Gmail", "Twilio - Api" -> "Twilio"."""
    short = re.sub(r"^(the)\s+", "", title, flags=re.I)
    short = re.sub(
        r"[\s\-:|]+(rest(ful)?\s+)?(api|apis|web api)(\s+v?[\d.]+)?$", "", short, flags=re.I
    )
    return short.strip(" -:|") or title


_VERSIONISH = re.compile(r"^(api)?v?\d[\d.]*$|\d{4,}")
_NOT_A_SENTENCE = re.compile(r"^(hello|welcome|overview|introduction|note)\b", re.I)


def connector_utterances(spec: ApiSpec, name: str | None = None) -> list[str]:
    """Connector-level routing phrases: its name, what it is, its biggest resource groups."""
    name = name or short_title(spec.title)
    utterances = [f"use {name}"]
    sentence = first_sentence(spec.description, 120).rstrip(".")
    if len(sentence.split()) >= 4 and not _NOT_A_SENTENCE.match(sentence):
        utterances.append(sentence)
    tags = Counter(tag for op in spec.operations for tag in op.tags[:1])
    for tag, _ in tags.most_common(3):
        words = " ".join(w for w in humanize_identifier(tag).split() if not _VERSIONISH.search(w))
        if words and words.lower() != name.lower():
            utterances.append(f"{words} in {name}")
    return utterances
