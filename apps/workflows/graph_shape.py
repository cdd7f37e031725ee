"""The structural shape of a stored graph (React Flow JSON), checked before deeper validation."""

from typing import Any

from jsonschema import Draft202012Validator

_ID = {"type": "string", "minLength": 1, "maxLength": 100, "pattern": r"^[A-Za-z0-9_\-:.]+$"}

GRAPH_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["nodes", "edges"],
    "properties": {
        "nodes": {
            "type": "array",
            "maxItems": 5000,
            "items": {
                "type": "object",
                "required": ["id", "type"],
                "properties": {
                    "id": _ID,
                    "type": {"type": "string", "minLength": 1, "maxLength": 100},
                    "position": {
                        "type": "object",
                        "properties": {"x": {"type": "number"}, "y": {"type": "number"}},
                    },
                    "parentId": _ID,
                    "data": {
                        "type": "object",
                        "properties": {
                            "version": {"type": ["string", "integer"]},
                            "config": {"type": "object"},
                            "policies": {"type": "object"},
                            "label": {"type": "string", "maxLength": 200},
                            # A sticky note's text (engine/notes.py).
                            "text": {"type": "string", "maxLength": 10000},
                        },
                    },
                },
            },
        },
        "edges": {
            "type": "array",
            "maxItems": 20000,
            "items": {
                "type": "object",
                "required": ["source", "target"],
                "properties": {
                    "id": {"type": "string", "maxLength": 200},
                    "source": _ID,
                    "target": _ID,
                    "sourceHandle": {"type": ["string", "null"], "maxLength": 100},
                    "targetHandle": {"type": ["string", "null"], "maxLength": 100},
                },
            },
        },
        "viewport": {"type": "object"},
    },
}

_VALIDATOR = Draft202012Validator(GRAPH_SCHEMA)


def graph_shape_errors(graph: Any) -> dict[str, list[str]]:
    """Every structural problem, keyed by a dotted path such as `graph.nodes[2].id`."""
    errors: dict[str, list[str]] = {}
    for error in _VALIDATOR.iter_errors(graph):
        path = "graph" + "".join(
            f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path
        )
        errors.setdefault(path, []).append(_message(error))
    return errors


# jsonschema's messages start with the repr of the failing value: for a 5,001-node graph
# that echoed the whole graph (808 KB) back. These say what is wrong without the value.
_MESSAGES = {
    "maxItems": "Has more than {} items.",
    "minItems": "Has fewer than {} items.",
    "maxLength": "Is longer than {} characters.",
    "minLength": "Is shorter than {} characters.",
    "type": "Must be of type {}.",
    "pattern": "Does not match the pattern {}.",
}
MAX_MESSAGE = 200


def _message(error: Any) -> str:
    template = _MESSAGES.get(error.validator)
    if template is not None:
        return template.format(error.validator_value)
    message = str(error.message)
    return message if len(message) <= MAX_MESSAGE else message[:MAX_MESSAGE] + "…"
