"""A run's trace spans: `workflow.execute` around a claimed run, continuing the trace of the
request that accepted it, and `block.execute` around each step (the engine's StepObserver).

Attributes are ids, types, versions and statuses; never inputs, outputs or error messages
(they can carry what a workflow fetched with a credential).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from apps.observability import tracing
from apps.workflows.engine.types import Outcome, StepRecord, StepStatus
from apps.workflows.runtime.claim import Claimed


@contextmanager
def run_span(claimed: Claimed) -> Iterator[tracing.Span]:
    execution = claimed.execution
    attributes: dict[str, str | int] = {
        "flowplane.execution.id": str(execution.pk),
        "flowplane.execution.mode": execution.mode,
        "flowplane.workflow.id": str(execution.workflow_id),
        "flowplane.workspace.id": str(execution.workspace_id),
    }
    if claimed.version_number is not None:
        attributes["flowplane.workflow.version"] = claimed.version_number
    with tracing.span(
        "workflow.execute",
        attributes=attributes,
        parent=tracing.parent_from(execution.trace_context),
    ) as span:
        yield span


def run_ended(span: tracing.Span, outcome: Outcome) -> None:
    span.set_attribute("flowplane.execution.status", outcome.status)
    if outcome.status == "failed":
        tracing.failed(span, outcome.error.code if outcome.error else "failed")


class _StepWatch:
    def __init__(self, span: tracing.Span) -> None:
        self.span = span

    def finished(self, record: StepRecord) -> None:
        self.span.set_attribute("flowplane.step.status", record.status.value)
        self.span.set_attribute("flowplane.step.attempts", record.attempts)
        if record.status is StepStatus.FAILED:
            tracing.failed(self.span, record.error.code if record.error else "failed")


class StepTracer:
    """The engine's StepObserver: one `block.execute` span per step, child of the current
    span (the run's, or its loop's for a step of a loop body)."""

    @contextmanager
    def step(self, *, node_id: str, block_type: str, block_version: int) -> Iterator[_StepWatch]:
        with tracing.span(
            "block.execute",
            attributes={
                "flowplane.node.id": node_id,
                "flowplane.block.type": block_type,
                "flowplane.block.version": block_version,
            },
        ) as span:
            yield _StepWatch(span)
