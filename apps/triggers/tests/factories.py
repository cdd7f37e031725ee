"""Helpers for trigger tests: workflows whose published graph declares one trigger node."""

from __future__ import annotations

from typing import Any

from apps.workflows.models import Workflow
from apps.workflows.services import workflow_create, workflow_publish, workflow_update


def trigger_graph(block_type: str, config: dict[str, Any], node_id: str = "start") -> dict:
    return {
        "nodes": [
            {
                "id": node_id,
                "type": block_type,
                "position": {"x": 0, "y": 0},
                "data": {"config": config},
            },
            {
                "id": "out",
                "type": "set_output",
                "position": {"x": 240, "y": 0},
                "data": {"config": {"values": {"got": "{{ trigger }}"}}},
            },
        ],
        "edges": [{"id": "e1", "source": node_id, "target": "out"}],
    }


def published_workflow(
    *,
    workspace: Any,
    user: Any,
    block_type: str,
    config: dict[str, Any],
    node_id: str = "start",
    name: str = "triggered",
) -> Workflow:
    """Create a workflow with one trigger node and publish it (which syncs its trigger)."""
    workflow = workflow_create(
        workspace=workspace,
        name=name,
        graph=trigger_graph(block_type, config, node_id),
        created_by=user,
    )
    workflow_publish(workflow=workflow, published_by=user)
    workflow.refresh_from_db()
    return workflow


def republish(
    *, workflow: Workflow, user: Any, config: dict[str, Any], node_id: str = "start"
) -> Workflow:
    """Edit the trigger node's config in the draft and publish again."""
    graph = workflow.graph
    for node in graph["nodes"]:
        if node["id"] == node_id:
            node["data"]["config"] = config
    workflow = workflow_update(
        workflow=workflow, expected_version=workflow.version, updated_by=user, graph=graph
    )
    workflow_publish(workflow=workflow, published_by=user)
    workflow.refresh_from_db()
    return workflow
