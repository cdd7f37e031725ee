"""Graph validation for saving and publishing: every problem at once, each with its path."""

from typing import Any

from apps.workflows.graph_shape import graph_shape_errors
from apps.workspaces.exceptions import InvalidInput


def graph_validate(graph: Any) -> list[dict[str, Any]]:
    """Raise InvalidInput listing every error; return the warnings (e.g. unreachable nodes)."""
    errors = graph_shape_errors(graph)
    if errors:
        raise InvalidInput("The workflow graph is invalid.", fields=errors)
    return []
