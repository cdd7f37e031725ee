"""Sub-workflows and resumes: a child execution per parent step, and waking a parked run."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from apps.blocks.sdk import SubWorkflowResult
from apps.core.exceptions import InvalidInput
from apps.workflows.models import Execution, Workflow
from apps.workflows.runtime.dispatch import executions_queued
from apps.workflows.services import execution_create

S = Execution.Status


class SubWorkflows:
    """The engine's sub-workflow port: a child execution per parent step, never two."""

    def __init__(self, parent: Execution) -> None:
        self._parent = parent

    def run(
        self, *, workflow_id: str, version: int | None, payload: Any, idempotency_key: str
    ) -> SubWorkflowResult:
        step_key = idempotency_key.split(":", 1)[1]
        child = Execution.objects.filter(parent=self._parent, parent_step=step_key).first()
        if child is None:
            child = _child_create(self._parent, workflow_id, version, payload, step_key)
        if child.status == S.SUCCEEDED:
            return SubWorkflowResult(
                status="succeeded", output=child.output, execution_id=str(child.pk)
            )
        if child.status in (S.FAILED, S.CANCELLED):
            return SubWorkflowResult(
                status="failed",
                execution_id=str(child.pk),
                error=(child.error or {}).get("message", child.status),
            )
        return SubWorkflowResult(status="waiting", execution_id=str(child.pk))


def _child_create(
    parent: Execution, workflow_id: str, version: int | None, payload: Any, step_key: str
) -> Execution:
    workflow = Workflow.objects.filter(pk=workflow_id, workspace_id=parent.workspace_id).first()
    if workflow is None:
        raise InvalidInput(f"Sub-workflow {workflow_id} is not in this workspace.")
    if version:
        chosen = workflow.versions.filter(number=version).first()
        if chosen is None:
            raise InvalidInput(f"Sub-workflow {workflow.name!r} has no version {version}.")
    else:
        chosen = workflow.published_version  # the live version, else the draft
    return execution_create(
        workflow=workflow,
        mode=Execution.Mode.SUB,
        input=payload if isinstance(payload, dict) else {"value": payload},
        version=chosen,
        draft=chosen is None,
        parent=parent,
        parent_step=step_key,
    )


def execution_resume(*, execution_id: Any, key: str, payload: Any) -> bool:
    """Store a resume payload for a waiting step and queue the execution. False if finished."""
    with transaction.atomic():
        execution = Execution.objects.select_for_update().filter(pk=execution_id).first()
        if execution is None or execution.is_finished:
            return False
        execution.resumes = {**execution.resumes, key: payload}
        fields = ["resumes"]
        if execution.status == S.WAITING:
            execution.status, execution.wake_at = S.QUEUED, None
            fields += ["status", "wake_at"]
            transaction.on_commit(executions_queued)
        execution.save(update_fields=fields)
    return True
