"""Swagger 2.0 to the OpenAPI 3 shape, as far as the importer needs it.

Converted: host/basePath/schemes to ``servers``; ``definitions`` to ``components.schemas``
(references rewritten); ``securityDefinitions`` to ``components.securitySchemes``; per
operation, non-body parameters get a ``schema``, a ``body`` parameter becomes the request
body and ``formData`` parameters a form body. Responses are not converted (not imported).
"""

from __future__ import annotations

import copy
from typing import Any

_PARAM_SCHEMA_KEYS = (
    "type",
    "format",
    "items",
    "enum",
    "default",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "multipleOf",
)
_FLOWS = {
    "implicit": "implicit",
    "password": "password",
    "application": "clientCredentials",
    "accessCode": "authorizationCode",
}
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch")


def _rewrite_refs(node: Any) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/definitions/"):
                out[key] = "#/components/schemas/" + value[len("#/definitions/") :]
            else:
                out[key] = _rewrite_refs(value)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(item) for item in node]
    return node


def _deref_parameter(document: dict[str, Any], param: Any) -> Any:
    ref = param.get("$ref") if isinstance(param, dict) else None
    if isinstance(ref, str) and ref.startswith("#/parameters/"):
        return document.get("parameters", {}).get(ref[len("#/parameters/") :], {})
    return param


def _param_schema(param: dict[str, Any]) -> dict[str, Any]:
    schema = {key: param[key] for key in _PARAM_SCHEMA_KEYS if key in param}
    if param.get("type") == "file":
        schema.update(type="string", format="binary")
    if param.get("x-nullable") is True:
        schema["nullable"] = True
    return schema


def _operation(document: dict[str, Any], op: dict[str, Any], path_params: list[Any]) -> dict:
    consumes = op.get("consumes") or document.get("consumes") or ["application/json"]
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for raw in [*path_params, *(op.get("parameters") or [])]:
        param = _deref_parameter(document, raw)
        if isinstance(param, dict) and "name" in param and "in" in param:
            merged[(param["name"], param["in"])] = param
    parameters: list[dict[str, Any]] = []
    body: dict[str, Any] | None = None
    form: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
    for param in merged.values():
        where = param["in"]
        if where == "body":
            media = next((c for c in consumes if "json" in c), consumes[0])
            body = {
                "required": bool(param.get("required")),
                "content": {media: {"schema": param.get("schema", {})}},
            }
            if param.get("description"):
                body["description"] = param["description"]
        elif where == "formData":
            prop = _param_schema(param)
            if param.get("description"):
                prop["description"] = param["description"]
            form["properties"][param["name"]] = prop
            if param.get("required"):
                form["required"].append(param["name"])
        else:
            converted = {
                k: param[k]
                for k in ("name", "in", "description", "required", "deprecated")
                if k in param
            }
            converted["schema"] = _param_schema(param)
            parameters.append(converted)
    if body is None and form["properties"]:
        has_file = any(p.get("format") == "binary" for p in form["properties"].values())
        media = (
            "multipart/form-data"
            if has_file or "multipart/form-data" in consumes
            else ("application/x-www-form-urlencoded")
        )
        if not form["required"]:
            del form["required"]
        body = {"content": {media: {"schema": form}}}
    out = {
        k: v
        for k, v in op.items()
        if k not in ("parameters", "consumes", "produces", "responses", "schemes")
    }
    out["parameters"] = parameters
    if body is not None:
        out["requestBody"] = body
    responses = _responses(op.get("responses"), op.get("produces") or document.get("produces"))
    if responses:
        out["responses"] = responses
    return out


def _responses(responses: Any, produces: Any) -> dict[str, Any]:
    """Swagger 2.0 responses (one ``schema`` each) as OpenAPI 3 ``content`` maps."""
    media = next(
        (m for m in produces or () if isinstance(m, str) and "json" in m), "application/json"
    )
    out: dict[str, Any] = {}
    for status, response in (responses or {}).items() if isinstance(responses, dict) else ():
        if not isinstance(response, dict):
            continue
        converted = {k: v for k, v in response.items() if k != "schema"}
        if "schema" in response:
            converted["content"] = {media: {"schema": response["schema"]}}
        out[str(status)] = converted
    return out


def _security_schemes(definitions: dict[str, Any]) -> dict[str, Any]:
    schemes: dict[str, Any] = {}
    for name, definition in definitions.items():
        if not isinstance(definition, dict):
            continue
        kind = definition.get("type")
        description = (
            {"description": definition["description"]} if definition.get("description") else {}
        )
        if kind == "basic":
            schemes[name] = {"type": "http", "scheme": "basic", **description}
        elif kind == "apiKey":
            schemes[name] = {
                "type": "apiKey",
                "in": definition.get("in", "header"),
                "name": definition.get("name", ""),
                **description,
            }
        elif kind == "oauth2":
            flow = _FLOWS.get(definition.get("flow", ""), "authorizationCode")
            body = {"scopes": definition.get("scopes") or {}}
            if "authorizationUrl" in definition:
                body["authorizationUrl"] = definition["authorizationUrl"]
            if "tokenUrl" in definition:
                body["tokenUrl"] = definition["tokenUrl"]
            schemes[name] = {"type": "oauth2", "flows": {flow: body}, **description}
    return schemes


def convert(document: dict[str, Any]) -> dict[str, Any]:
    """An OpenAPI-3-shaped copy of a Swagger 2.0 document."""
    document = copy.deepcopy(document)
    host = document.get("host")
    base_path = document.get("basePath") or ""
    schemes = document.get("schemes") or ["https"]
    scheme = "https" if "https" in schemes else schemes[0]
    servers = (
        [{"url": f"{scheme}://{host}{base_path}"}]
        if host
        else ([{"url": base_path}] if base_path else [])
    )
    paths: dict[str, Any] = {}
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        path_params = item.get("parameters") or []
        converted = {}
        for method in _METHODS:
            if isinstance(item.get(method), dict):
                converted[method] = _operation(document, item[method], path_params)
        paths[path] = converted
    result = {
        "openapi": "3.0.0",
        "x-converted-from": "swagger 2.0",
        "info": document.get("info") or {},
        "servers": servers,
        "paths": paths,
        "components": {
            "schemas": document.get("definitions") or {},
            "securitySchemes": _security_schemes(document.get("securityDefinitions") or {}),
        },
    }
    if document.get("externalDocs"):
        result["externalDocs"] = document["externalDocs"]
    if document.get("tags"):
        result["tags"] = document["tags"]
    return _rewrite_refs(result)
