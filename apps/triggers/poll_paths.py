"""Proposed ``items_path``, ``id_path`` and ``cursor_path`` for a polling source.

The proposal reads a JSON Schema of the source's response: the list of items is the response
itself or its first array-of-objects property (breadth first), the id is the items' ``id``
(else their first ``*_id``), the cursor their "last changed" date-time (``updated_at`` and
kin before ``created_at``, then any ``date-time``). The cursor is an item's field because the
poll reads it on each item (its high-water mark); a page token beside the items
(``next_cursor``) is no such field, so it is never proposed.

A catalogue operation whose document declares its response (``response_schema``, from the
importer) is read first; the schema inferred from one sample, fetched through the poll's own
path (``poll_fetch.fetch``: the same validation, credential and guarded client), fills what the
declared one leaves open, and is all there is for an HTTP source. The sample is fetched either
way: it proves the source answers, and counts the items found.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import jmespath

from apps.connectors.selectors import connector_operation_for_run
from apps.triggers.exceptions import TriggerConfigInvalid
from apps.triggers.kinds.poll import SPEC
from apps.triggers.poll_fetch import PollFailed, fetch

MAX_DEPTH = 4
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
CHANGED = ("updated_at", "updatedAt", "modified_at", "modifiedAt", "updated", "modified")
CREATED = ("created_at", "createdAt", "created", "timestamp")


def schema_of(value: Any, depth: int = 0) -> dict[str, Any]:
    """A small JSON Schema of a sample value: types, object properties, array items (from
    the first element) and ``format: date-time`` for ISO 8601 timestamps."""
    if isinstance(value, dict):
        if depth >= MAX_DEPTH:
            return {"type": "object"}
        properties = {str(k): schema_of(v, depth + 1) for k, v in value.items()}
        return {"type": "object", "properties": properties}
    if isinstance(value, list):
        return {"type": "array", "items": schema_of(value[0], depth + 1) if value else {}}
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int | float):
        return {"type": "number"}
    if isinstance(value, str):
        return (
            {"type": "string", "format": "date-time"} if _timestamp(value) else {"type": "string"}
        )
    return {}


def _timestamp(text: str) -> bool:
    if len(text) < 16 or "T" not in text[:11].upper():  # a date alone is not a cursor
        return False
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _field(name: str) -> str:
    return name if IDENTIFIER.match(name) else '"' + name.replace('"', '\\"') + '"'


def _is(node: Any, kind: str) -> bool:
    """A declared schema may leave the type out (``properties`` alone) or allow null too."""
    if not isinstance(node, dict):
        return False
    declared = node.get("type")
    if declared is None:
        return {"object": "properties", "array": "items"}.get(kind, "type") in node
    return declared == kind or (isinstance(declared, list) and kind in declared)


def _flat(node: dict[str, Any]) -> dict[str, Any]:
    """``node`` with the properties of its ``allOf`` parts merged in (declared schemas
    compose an item from a base and its own fields)."""
    parts = [p for p in node.get("allOf") or () if isinstance(p, dict)]
    if not parts:
        return node
    properties: dict[str, Any] = {}
    for part in (*map(_flat, parts), node):
        properties.update(part.get("properties") or {})
    return {**node, "type": "object", "properties": properties}


def _items(schema: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """(path, item schema) of the list of items: the arrays of objects, breadth first."""
    found: list[tuple[str, dict[str, Any]]] = []
    queue: list[tuple[list[str], dict[str, Any]]] = [([], _flat(schema))]
    while queue:
        path, node = queue.pop(0)
        items = _flat(node["items"]) if isinstance(node.get("items"), dict) else None
        if _is(node, "array") and _is(items, "object"):
            found.append(((".".join(path) or "@"), items or {}))
        elif _is(node, "object") and len(path) < MAX_DEPTH:
            for name, child in (node.get("properties") or {}).items():
                if isinstance(child, dict):
                    queue.append(([*path, _field(name)], _flat(child)))
    # A declared response lists every array; the items are the first one whose objects have
    # an id (a calendar's `defaultReminders` come before its `items`).
    return next((hit for hit in found if _ids(hit[1])), found[0] if found else None)


def _ids(item: dict[str, Any]) -> list[str]:
    """The item's ``id``, else its ``*_id`` fields (only required ones, when the schema says
    which are: an optional ``bot_id`` is no identity)."""
    properties = item.get("properties") or {}
    if "id" in properties:
        return ["id"]
    required = item.get("required")
    return [
        n
        for n in properties
        if n.endswith(("_id", "Id")) and n != "_id" and (required is None or n in required)
    ]


def _stamps(properties: dict[str, Any]) -> list[str]:
    """Fields that only grow: date-times, and numbers named like one (Unix-time ``created``)."""
    named = {*CHANGED, *CREATED}
    return [
        n
        for n, p in properties.items()
        if isinstance(p, dict)
        and (p.get("format") == "date-time" or (n in named and _is_number(p)))
    ]


def _is_number(schema: dict[str, Any]) -> bool:
    return _is(schema, "integer") or _is(schema, "number")


def paths_from_schema(schema: Any) -> dict[str, str | None]:
    """The proposal; a path is None when the schema offers nothing for it."""
    found = _items(schema) if isinstance(schema, dict) else None
    if found is None:
        return {"items_path": None, "id_path": None, "cursor_path": None}
    items_path, item = found
    ids = _ids(item)
    stamps = _stamps(item.get("properties") or {})
    ranked = [n for n in (*CHANGED, *CREATED) if n in stamps] or stamps
    return {
        "items_path": items_path,
        "id_path": _field(ids[0]) if ids else None,
        "cursor_path": _field(ranked[0]) if ranked else None,
    }


def poll_paths_propose(*, workspace_id: Any, source: dict[str, Any]) -> dict[str, Any]:
    """Fetch one sample of ``source`` for the workspace and propose the paths from it."""
    config = SPEC.resolved({"source": source})
    problems = SPEC.problems(config, workspace_id=workspace_id)
    if problems:
        raise TriggerConfigInvalid(
            "The polling source is invalid.",
            fields={k.removeprefix("config."): v for k, v in problems.items()},
        )
    try:
        sample = fetch(config, {}, workspace_id=workspace_id)
    except PollFailed as exc:
        raise TriggerConfigInvalid(
            "The source could not be fetched.", fields={"source": [str(exc)]}
        ) from None
    inferred = paths_from_schema(schema_of(sample))
    declared = paths_from_schema(_declared_schema(config["source"]))
    if declared["items_path"] is None:
        proposal = inferred
    else:  # the item's fields only where the declared list is the one the sample showed
        same = declared["items_path"] == inferred["items_path"]
        proposal = {key: declared[key] or (inferred[key] if same else None) for key in declared}
    found = jmespath.search(proposal["items_path"], sample) if proposal["items_path"] else None
    return {**proposal, "items_found": len(found) if isinstance(found, list) else 0}


def _declared_schema(source: dict[str, Any]) -> Any:
    """The catalogue operation's declared response schema (None for an HTTP source)."""
    if source.get("kind") != "connector":
        return None
    operation = connector_operation_for_run(
        slug=str(source.get("connector")), key=str(source.get("operation"))
    )
    return (operation or {}).get("response_schema")
