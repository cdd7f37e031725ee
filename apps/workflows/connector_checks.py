"""Connector steps checked against the catalogue: an unknown connector or operation, and
parameters the operation's schema refuses, each at the node's field like any graph issue.

Without this a save accepted a step that could only fail when it ran. The parameters are
checked as the block checks them before a call (its parameter schema, Draft 2020-12); a value
with an expression is known only at run time, when the block checks it again. A missing
required parameter (`missing_parameter`) is unfinished work that a draft may hold, like a
missing trigger; publishing and running refuse it."""

from __future__ import annotations

import re
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError, ValidationError

from apps.connectors.selectors import connector_operation_schemas
from apps.workflows.engine.config_check import expression_exempt

_CONNECTOR_BLOCK = "connector_operation"
_MISSING = re.compile(r"^'([^']+)' is a required property")


def _literal(value: Any) -> str | None:
    """A name given as is; one made by an expression is resolved at run time."""
    return value if isinstance(value, str) and value and "{{" not in value else None


def _steps(graph: dict[str, Any]) -> list[tuple[int, str, str, str | None, Any]]:
    """(node index, node id, connector, operation or None, parameters) of connector steps."""
    found = []
    for index, node in enumerate(graph.get("nodes") or []):
        if not isinstance(node, dict) or node.get("type") != _CONNECTOR_BLOCK:
            continue
        data = node.get("data") if isinstance(node.get("data"), dict) else {}
        config = data.get("config") if isinstance(data.get("config"), dict) else {}
        slug = _literal(config.get("connector"))
        if slug is not None:
            key = _literal(config.get("operation"))
            # The block calls with no parameters when none are set: required ones are missing.
            parameters = config.get("parameters")
            found.append((index, str(node.get("id")), slug, key, parameters or {}))
    return found


def _field(error: ValidationError) -> str:
    """`config.parameters.owner`: where the error is; a missing one at the parameter itself."""
    field = "config.parameters"
    for part in error.absolute_path:
        field += f"[{part}]" if isinstance(part, int) else f".{part}"
    missing = _MISSING.match(error.message) if error.validator == "required" else None
    return f"{field}.{missing.group(1)}" if missing else field


def _parameter_errors(schema: Any, parameters: Any, name: str) -> list[tuple[str, str, str]]:
    """(field, code, message) of each parameter the schema refuses; none when it cannot say."""
    if not isinstance(schema, dict) or not schema or not isinstance(parameters, dict):
        return []  # parameters that are not an object are the config schema's to report
    try:
        errors = list(Draft202012Validator(schema).iter_errors(parameters))
    except SchemaError:
        return []  # the catalogue's own fault: the run reports it
    found = []
    for error in sorted(errors, key=lambda e: [str(p) for p in e.absolute_path]):
        if expression_exempt(error):
            continue
        if error.validator == "required":
            found.append((_field(error), "missing_parameter", f"Required by {name}."))
        else:
            found.append((_field(error), "invalid_parameter", error.message))
    return found


def connector_issues(graph: dict[str, Any]) -> list[dict[str, Any]]:
    """One error per unknown connector or operation and per refused parameter."""
    steps = _steps(graph)
    wanted = {(slug, key) for _, _, slug, key, _ in steps if key is not None}
    known, schemas = connector_operation_schemas(
        slugs={s for _, _, s, _, _ in steps}, wanted=wanted
    )
    issues = []

    def issue(index: int, node_id: str, field: str, code: str, message: str) -> None:
        issues.append(
            {
                "node_id": node_id,
                "field": field,
                "code": code,
                "message": message,
                "severity": "error",
                "path": f"graph.nodes[{index}].data.{field}",
            }
        )

    for index, node_id, slug, key, parameters in steps:
        if slug not in known:
            issue(
                index,
                node_id,
                "config.connector",
                "unknown_connector",
                f"No connector {slug!r} in the catalogue.",
            )
        elif key is not None and (slug, key) not in schemas:
            issue(
                index,
                node_id,
                "config.operation",
                "unknown_operation",
                f"The {slug} connector has no operation {key!r}.",
            )
        elif key is not None:
            for field, code, message in _parameter_errors(
                schemas[(slug, key)], parameters, f"{slug}.{key}"
            ):
                issue(index, node_id, field, code, message)
    return issues
