"""Sticky notes: canvas annotations stored in the graph that never run.

A note is a node of type ``note`` (its text in ``data.text``). The engine drops notes before
planning, so they are no step, no entry and never unreachable; an edge to or from a note is
refused (``note_edge``) because nothing could flow through it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from apps.workflows.engine.plan import _Issues
from apps.workflows.engine.types import Edge, Node

NOTE_TYPE = "note"


def drop_notes(
    by_id: Mapping[str, Node], edges: Sequence[Edge], issues: _Issues
) -> tuple[dict[str, Node], list[Edge]]:
    """The executable nodes, and the edges that do not touch a note (those are reported)."""
    notes = {node_id for node_id, node in by_id.items() if node.type == NOTE_TYPE}
    kept: list[Edge] = []
    for edge in edges:
        touched = next((end for end in (edge.source, edge.target) if end in notes), None)
        if touched is None:
            kept.append(edge)
        else:
            issues.add(
                touched,
                f"edges.{edge.id}",
                "note_edge",
                f"edge {edge.id!r} connects note {touched!r}; notes cannot be connected",
            )
    return {k: v for k, v in by_id.items() if k not in notes}, kept
