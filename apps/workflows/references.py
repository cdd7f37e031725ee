"""Objects a graph names by id (a credential, a sub-workflow) must be in the workflow's
workspace.

The runtime resolves them within the workspace anyway, so another workspace's id never ran;
but such a graph was saved, imported, published and test-run without a word, and failed only
later, at run time. Now every write that stores or runs a graph checks its references and
reports each bad one like any graph issue (node, field path). An id of another workspace
reads exactly like an unknown one, so the answer tells nothing about other workspaces.
"""

from __future__ import annotations

import uuid
from typing import Any

from apps.credentials.selectors import credential_ids_in_workspace
from apps.workflows.models import Workflow

# Config keys that name an object of the workspace, and what that object is. Dotted: a
# polling trigger's `source.credential_id`; `[]` every item of a list (the agent's MCP
# servers); `*` every value of a map (the router's credential per connector).
REFERENCES = {
    "credential_id": "credential",
    "workflow_id": "workflow",
    "source.credential_id": "credential",
    "mcp_servers[].credential_id": "credential",
    "credentials.*": "credential",
}


def _at(value: Any, parts: list[str], path: str = "") -> list[tuple[str, Any]]:
    """(exact path, value) of every value `parts` reach: `mcp_servers[0].credential_id`."""
    if not parts:
        return [(path, value)]
    part, rest = parts[0], parts[1:]
    dot = "." if path else ""
    if part == "*":
        items = value.items() if isinstance(value, dict) else ()
        return [hit for k, v in items for hit in _at(v, rest, f"{path}{dot}{k}")]
    if part.endswith("[]"):
        listed = value.get(part[:-2]) if isinstance(value, dict) else None
        return [
            hit
            for i, item in enumerate(listed if isinstance(listed, list) else [])
            for hit in _at(item, rest, f"{path}{dot}{part[:-2]}[{i}]")
        ]
    if not isinstance(value, dict) or part not in value:
        return []
    return _at(value[part], rest, f"{path}{dot}{part}")


def _named(graph: Any) -> list[tuple[int, str, str, str, str]]:
    """(node index, node id, config key, path to the value, id) of every literal reference in
    the graph; expressions (`{{ ... }}`) are resolved at run time, within the workspace."""
    nodes = graph.get("nodes") if isinstance(graph, dict) else None
    found = []
    for index, node in enumerate(nodes if isinstance(nodes, list) else []):
        data = node.get("data") if isinstance(node, dict) else None
        config = data.get("config") if isinstance(data, dict) else None
        if not isinstance(config, dict):
            continue
        for key in REFERENCES:
            for path, value in _at(config, key.split(".")):
                if isinstance(value, str) and value and "{{" not in value:
                    found.append((index, str(node.get("id")), key, path, value))
    return found


def _uuids(values: set[str]) -> set[uuid.UUID]:
    parsed = set()
    for value in values:
        try:
            parsed.add(uuid.UUID(value))
        except ValueError:
            continue  # not an id at all: reported as unknown below
    return parsed


def reference_issues(graph: Any, *, workspace_id: Any) -> list[dict[str, Any]]:
    """One graph issue per reference that names nothing in `workspace_id`."""
    named = _named(graph)
    if not named:
        return []
    wanted = {
        kind: _uuids({v for _, _, k, _, v in named if REFERENCES[k] == kind})
        for kind in set(REFERENCES.values())
    }
    known = {
        "credential": credential_ids_in_workspace(
            workspace_id=workspace_id, ids=wanted["credential"]
        ),
        "workflow": set(
            Workflow.objects.filter(
                workspace_id=workspace_id, pk__in=wanted["workflow"]
            ).values_list("pk", flat=True)
        ),
    }
    issues = []
    for index, node_id, key, path, value in named:
        kind = REFERENCES[key]
        if any(str(k) == value.lower() for k in known[kind]):
            continue
        issues.append(
            {
                "node_id": node_id,
                "field": f"config.{path}",
                "code": "unknown_reference",
                "message": f"No {kind} with this id in this workspace.",
                "severity": "error",
                "path": f"graph.nodes[{index}].data.config.{path}",
            }
        )
    return issues
