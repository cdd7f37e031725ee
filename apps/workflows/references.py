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

# Config keys that name an object of the workspace, and what that object is.
REFERENCES = {"credential_id": "credential", "workflow_id": "workflow"}


def _named(graph: Any) -> list[tuple[int, str, str, str]]:
    """(node index, node id, config key, id) of every literal reference in the graph;
    expressions (`{{ ... }}`) are resolved at run time, within the workspace."""
    nodes = graph.get("nodes") if isinstance(graph, dict) else None
    found = []
    for index, node in enumerate(nodes if isinstance(nodes, list) else []):
        data = node.get("data") if isinstance(node, dict) else None
        config = data.get("config") if isinstance(data, dict) else None
        if not isinstance(config, dict):
            continue
        for key in REFERENCES:
            value = config.get(key)
            if isinstance(value, str) and value and "{{" not in value:
                found.append((index, str(node.get("id")), key, value))
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
        kind: _uuids({v for _, _, k, v in named if REFERENCES[k] == kind})
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
    for index, node_id, key, value in named:
        kind = REFERENCES[key]
        if any(str(k) == value.lower() for k in known[kind]):
            continue
        issues.append(
            {
                "node_id": node_id,
                "field": f"config.{key}",
                "code": "unknown_reference",
                "message": f"No {kind} with this id in this workspace.",
                "severity": "error",
                "path": f"graph.nodes[{index}].data.config.{key}",
            }
        )
    return issues
