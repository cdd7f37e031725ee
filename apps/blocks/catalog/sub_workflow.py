"""Sub-workflow: run another workflow through the host's ``SubWorkflowRunner`` port.

The child is keyed by this step's idempotency key, so a redelivered parent gets the same
child. A child that parks parks the parent too; the host resumes the parent's step with
the child's result (``{"status", "output", "error", "execution_id"}``) when it finishes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apps.blocks.sdk import (
    BlockContext,
    BlockError,
    BlockResult,
    BlockSpec,
    Category,
    Park,
    SubWorkflowResult,
    register,
)

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["workflow_id"],
    "properties": {
        "workflow_id": {"type": "string", "minLength": 1},
        "workflow_version": {"type": ["integer", "null"], "minimum": 1, "default": None},
        "input": {"default": {}},
    },
}

SPEC = BlockSpec(
    key="sub_workflow",
    version=1,
    title="Run workflow",
    category=Category.LOGIC,
    icon="workflow",
    description="Run another workflow and continue with its output.",
    config_schema=CONFIG_SCHEMA,
    outputs={"output": "json", "execution_id": "string"},
)


def _finish(workflow_id: str, result: SubWorkflowResult) -> BlockResult:
    if result.status == "failed":
        raise BlockError(
            f"sub-workflow {workflow_id!r} failed: {result.error}", code="sub_workflow_failed"
        )
    return BlockResult(outputs={"output": result.output, "execution_id": result.execution_id})


@register(SPEC)
def execute(ctx: BlockContext, config: Mapping[str, Any], inputs: Mapping[str, Any]) -> BlockResult:
    """Start (or look up) the child; succeed, fail or park with it."""
    workflow_id = config["workflow_id"]
    if ctx.wake is not None and ctx.wake.reason == "resume":
        payload = ctx.wake.payload if isinstance(ctx.wake.payload, Mapping) else {}
        return _finish(
            workflow_id,
            SubWorkflowResult(
                status=payload.get("status", "succeeded"),
                output=payload.get("output"),
                error=payload.get("error"),
                execution_id=payload.get("execution_id"),
            ),
        )
    runner = ctx.services.get("sub_workflows")
    if runner is None:
        raise BlockError("this host cannot run sub-workflows", code="not_configured")
    result = runner.run(
        workflow_id=workflow_id,
        version=config.get("workflow_version"),
        payload=config.get("input"),
        idempotency_key=ctx.idempotency_key,
    )
    if result.status == "waiting":
        return BlockResult(
            park=Park(
                resume_token_required=True, reason=f"waiting for sub-workflow {workflow_id!r}"
            )
        )
    return _finish(workflow_id, result)
