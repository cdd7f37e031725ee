"""OpenAPI schema objects to plain, compact JSON Schema.

Walks the schema knowing which keywords hold sub-schemas, so a property that happens to be
called ``example`` or ``description`` is kept while the keywords themselves are trimmed.
"""

from __future__ import annotations

from typing import Any

from .text import clean_markdown, truncate

# Keywords whose value is a map of name -> schema.
_SCHEMA_MAPS = frozenset(
    {"properties", "patternProperties", "definitions", "$defs", "dependentSchemas"}
)
# Keywords whose value is one schema (or a boolean schema).
_SCHEMA_ONE = frozenset(
    {
        "items",
        "additionalProperties",
        "not",
        "contains",
        "propertyNames",
        "if",
        "then",
        "else",
        "unevaluatedProperties",
        "unevaluatedItems",
        "additionalItems",
    }
)
# Keywords whose value is a list of schemas.
_SCHEMA_LIST = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
# OpenAPI-only or bulky keywords that add nothing to validating or filling in a value.
_DROPPED = frozenset(
    {
        "example",
        "examples",
        "xml",
        "externalDocs",
        "discriminator",
        "nullable",
        "x-nullable",
        "$schema",
        "$id",
        "$comment",
    }
)
_TEXT = frozenset({"description", "title"})
_KEPT_EXTENSIONS = frozenset({"x-ref-cut", "x-in", "x-name"})


def to_json_schema(
    schema: Any,
    *,
    description_limit: int | None = 300,
    max_depth: int = 12,
    for_request: bool = False,
) -> Any:
    """A JSON Schema (draft 2020-12 compatible) from an already-resolved OpenAPI schema.

    ``nullable`` becomes a ``null`` type; examples, XML hints and vendor extensions go;
    descriptions are cleaned of markdown and cut to ``description_limit`` characters (0: all
    dropped, with titles); nesting
    deeper than ``max_depth`` keeps only the type. ``for_request`` drops ``readOnly``
    properties, which a caller never sends.
    """
    return _convert(schema, 0, description_limit, max_depth, for_request)


def _convert(schema: Any, depth: int, limit: int | None, max_depth: int, request: bool) -> Any:
    if isinstance(schema, bool):
        return schema
    if not isinstance(schema, dict):
        return {}
    if depth >= max_depth:
        kept = {k: schema[k] for k in ("type", "x-ref-cut") if k in schema}
        return _nullable(schema, kept)
    out: dict[str, Any] = {}
    for key, value in schema.items():
        key = str(key)
        if key in _DROPPED or (key.startswith("x-") and key not in _KEPT_EXTENSIONS):
            continue
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            converted = {}
            for name, sub in value.items():
                if (
                    request
                    and key == "properties"
                    and isinstance(sub, dict)
                    and sub.get("readOnly") is True
                ):
                    continue
                converted[str(name)] = _convert(sub, depth + 1, limit, max_depth, request)
            out[key] = converted
        elif key in _SCHEMA_ONE:
            out[key] = _convert(value, depth + 1, limit, max_depth, request)
        elif key in _SCHEMA_LIST and isinstance(value, list):
            out[key] = [_convert(sub, depth + 1, limit, max_depth, request) for sub in value]
        elif key in _TEXT and isinstance(value, str):
            if limit == 0:
                continue
            text = clean_markdown(value)
            if limit is not None:
                text = truncate(text, limit)
            if text:
                out[key] = text
        elif key == "type" and value == "file":  # Swagger 2.0
            out["type"] = "string"
            out.setdefault("format", "binary")
        else:
            out[key] = value
    if (
        request
        and isinstance(out.get("required"), list)
        and isinstance(out.get("properties"), dict)
    ):
        out["required"] = [name for name in out["required"] if name in out["properties"]]
        if not out["required"]:
            del out["required"]
    return _nullable(schema, out)


def _nullable(source: dict[str, Any], out: dict[str, Any]) -> dict[str, Any]:
    if source.get("nullable") is True or source.get("x-nullable") is True:
        kind = out.get("type")
        if isinstance(kind, str) and kind != "null":
            out["type"] = [kind, "null"]
        elif isinstance(kind, list) and "null" not in kind:
            out["type"] = [*kind, "null"]
    return out
