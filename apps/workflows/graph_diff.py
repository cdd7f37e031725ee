"""What changed between two graphs (two published versions, or a version and the draft).

Nodes and edges are matched by id. A node whose block type, label or settings differ is
"changed", with one entry per differing settings path; a node that only moved on the
canvas is "moved" (layout, not behaviour, so it is listed apart).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

MISSING = object()


def _by_id(items: Any) -> dict[str, Mapping[str, Any]]:
    if not isinstance(items, list):
        return {}
    return {str(item["id"]): item for item in items if isinstance(item, Mapping) and "id" in item}


def _flat(value: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    """Leaves of nested objects as (dotted path, value); lists are compared whole."""
    if isinstance(value, Mapping) and value:
        for key in sorted(value):
            yield from _flat(value[key], f"{prefix}.{key}" if prefix else str(key))
    else:
        yield prefix, value


def _field_changes(before: Any, after: Any) -> list[dict[str, Any]]:
    old, new = dict(_flat(before, "")), dict(_flat(after, ""))
    changes = []
    for path in sorted(old.keys() | new.keys()):
        was, now = old.get(path, MISSING), new.get(path, MISSING)
        if was != now:
            changes.append(
                {
                    "path": path,
                    "before": None if was is MISSING else was,
                    "after": None if now is MISSING else now,
                }
            )
    return changes


def _node_summary(node: Mapping[str, Any]) -> dict[str, Any]:
    data = node.get("data") or {}
    return {"id": str(node["id"]), "type": node.get("type", ""), "label": data.get("label", "")}


def _edge_summary(edge: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": str(edge["id"]),
        "source": edge.get("source", ""),
        "target": edge.get("target", ""),
        "source_handle": edge.get("sourceHandle") or edge.get("source_handle") or "",
    }


def _comparable(node: Mapping[str, Any]) -> dict[str, Any]:
    """What a node does: its type and data (settings, label), not where it sits."""
    return {"type": node.get("type"), **(node.get("data") or {})}


def graph_diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    old_nodes, new_nodes = _by_id(before.get("nodes")), _by_id(after.get("nodes"))
    old_edges, new_edges = _by_id(before.get("edges")), _by_id(after.get("edges"))
    changed, moved = [], []
    for node_id in sorted(old_nodes.keys() & new_nodes.keys()):
        was, now = old_nodes[node_id], new_nodes[node_id]
        fields = _field_changes(_comparable(was), _comparable(now))
        if fields:
            changed.append({**_node_summary(now), "fields": fields})
        elif was.get("position") != now.get("position"):
            moved.append(_node_summary(now))
    edge_changed = [
        _edge_summary(new_edges[edge_id])
        for edge_id in sorted(old_edges.keys() & new_edges.keys())
        if _edge_summary(old_edges[edge_id]) != _edge_summary(new_edges[edge_id])
    ]
    return {
        "nodes": {
            "added": [
                _node_summary(new_nodes[i]) for i in sorted(new_nodes.keys() - old_nodes.keys())
            ],
            "removed": [
                _node_summary(old_nodes[i]) for i in sorted(old_nodes.keys() - new_nodes.keys())
            ],
            "changed": changed,
            "moved": moved,
        },
        "edges": {
            "added": [
                _edge_summary(new_edges[i]) for i in sorted(new_edges.keys() - old_edges.keys())
            ],
            "removed": [
                _edge_summary(old_edges[i]) for i in sorted(old_edges.keys() - new_edges.keys())
            ],
            "changed": edge_changed,
        },
    }
