"""Graph validation for saving, publishing and running: every problem at once, each with
the node it concerns and a field path the canvas can point at."""

from typing import Any

from apps.blocks.registry import default_registry
from apps.core.exceptions import InvalidInput
from apps.workflows.connector_checks import connector_issues
from apps.workflows.credential_checks import credential_issues
from apps.workflows.engine.graph import validate_graph
from apps.workflows.engine.types import ValidationIssue
from apps.workflows.graph_shape import graph_shape_errors
from apps.workflows.references import reference_issues

# A draft may be saved before it has a trigger, or with a connector step whose required
# parameters are not filled yet (the connect wizard adds such a step); it cannot be published
# or run so.
_DRAFT_TOLERATED = frozenset({"missing_trigger", "missing_parameter"})


def graph_issues(graph: Any) -> list[dict[str, Any]]:
    """Structural problems first; when the structure is sound, the engine's full analysis."""
    shape = graph_shape_errors(graph)
    if shape:
        return [
            {
                "node_id": None,
                "field": path,
                "path": path,
                "code": "invalid_graph",
                "message": "; ".join(messages),
                "severity": "error",
            }
            for path, messages in shape.items()
        ]
    found = [_locate(issue, graph) for issue in validate_graph(graph, default_registry)]
    return found + connector_issues(graph) + credential_issues(graph)


def graph_warnings(graph: Any) -> list[dict[str, Any]]:
    """The warnings of a graph that saved (what a save answers with besides the workflow)."""
    return [i for i in graph_issues(graph) if i["severity"] == "warning"]


def _locate(issue: ValidationIssue, graph: dict[str, Any]) -> dict[str, Any]:
    """Add `path`: where in the stored graph the problem is (`graph.nodes[3].data.config.url`)."""
    found = issue.to_dict()
    index = next(
        (i for i, node in enumerate(graph["nodes"]) if node.get("id") == issue.node_id), None
    )
    if index is None:
        found["path"] = "graph"
    elif issue.field and issue.field.startswith(("config", "policies", "version")):
        found["path"] = f"graph.nodes[{index}].data.{issue.field}"
    else:
        found["path"] = f"graph.nodes[{index}]" + (f".{issue.field}" if issue.field else "")
    return found


def graph_validate(graph: Any, *, workspace_id: Any, for_run: bool = False) -> list[dict[str, Any]]:
    """Raise InvalidInput listing every error; return the warnings.

    Saving a draft tolerates what is merely unfinished (no trigger yet); publishing and
    running do not. Ids in node configs must name objects of `workspace_id`.
    """
    issues = graph_issues(graph)
    if not any(i["code"] == "invalid_graph" for i in issues):
        issues += reference_issues(graph, workspace_id=workspace_id)
    errors = [
        i
        for i in issues
        if i["severity"] == "error" and (for_run or i["code"] not in _DRAFT_TOLERATED)
    ]
    if errors:
        _refuse(errors)
    return [i for i in issues if i not in errors]


def references_validate(graph: Any, *, workspace_id: Any) -> None:
    """Only the references: for running one node of a draft that may be unfinished."""
    errors = reference_issues(graph, workspace_id=workspace_id)
    if errors:
        _refuse(errors)


def _refuse(errors: list[dict[str, Any]]) -> None:
    fields: dict[str, list[str]] = {}
    for error in errors:
        fields.setdefault(error.get("path") or error["field"] or "graph", []).append(
            error["message"]
        )
    raise InvalidInput("The workflow graph is invalid.", fields=fields, extra={"issues": errors})
