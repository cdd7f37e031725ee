"""Running claimed executions: the drain loop, the engine's ports, the outcome.

A drain (`execution_drain`, the `workflows.drain` task) claims queued executions one after
another and runs each to its end or its next wait. When the queue runs dry it keeps looking
for a moment (`EXECUTION_DRAIN_LINGER_SECONDS`), so a steady stream of runs is taken without
a hint per run; after `EXECUTION_DRAIN_BUDGET_SECONDS` it hands over to a fresh hint, so the
process's other queues (ticks, the sweep) get their turn in a busy period. Once its worker
got SIGTERM it claims nothing more (`shutdown.py`): the runs it holds finish, the rest wait
in the queue for another worker.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from apps.blocks.registry import default_registry
from apps.connectors.call_metrics import calls_for
from apps.core.exceptions import InvalidInput
from apps.credentials.resolver import outbound_http, run_scrub, secrets_for
from apps.observability import tracing
from apps.observability.context import log_ids
from apps.workflows.block_host import block_services
from apps.workflows.engine.errors import GraphInvalid
from apps.workflows.engine.graph import Plan, build_plan
from apps.workflows.engine.memory import InMemoryStepStore
from apps.workflows.engine.runner import Runner
from apps.workflows.engine.types import Outcome, RunRequest, StepError
from apps.workflows.models import Execution, ExecutionStep, Workflow, WorkflowVersion
from apps.workflows.persistence import (
    DatabaseStepStore,
    ExecutionCancelSignal,
    ExecutionResumeSource,
)
from apps.workflows.runtime.claim import (
    Claimed,
    execution_claim,
    execution_finish,
    execution_park,
    relaxed_session,
)
from apps.workflows.runtime.dispatch import drain_send
from apps.workflows.runtime.lease import lease_keeper
from apps.workflows.runtime.shutdown import shutting_down
from apps.workflows.runtime.subworkflows import SubWorkflows, execution_resume
from apps.workflows.runtime.traces import StepTracer, run_ended, run_span
from apps.workflows.services import execution_retry_later
from apps.workflows.validation import references_validate
from apps.workspaces.selectors import workspace_budgets

logger = logging.getLogger(__name__)

S = Execution.Status
_POLL_S = 0.02  # how often a lingering drain looks again
# A wake-up this close is sent as a delayed hint instead of waiting for the next sweep.
_SHORT_WAIT = timedelta(seconds=10)
_OUTCOME_STATUS = {"succeeded": S.SUCCEEDED, "failed": S.FAILED, "cancelled": S.CANCELLED}
_STEP_TRACER = StepTracer()


def execution_drain(*, budget_s: float | None = None, linger_s: float | None = None) -> int:
    """Claim and run queued executions until none is left; the number run."""
    budget = settings.EXECUTION_DRAIN_BUDGET_SECONDS if budget_s is None else budget_s
    linger = settings.EXECUTION_DRAIN_LINGER_SECONDS if linger_s is None else linger_s
    relaxed_session()
    deadline = time.monotonic() + budget
    ran = 0
    idle_until: float | None = None
    while time.monotonic() < deadline:
        if shutting_down():
            # Warm shutdown: what is queued stays for the other workers, told by a hint (this
            # one's consumer has stopped, so the hint cannot come back here).
            drain_send()
            return ran
        claimed = execution_claim(owner=uuid.uuid4().hex)
        if claimed is None:
            if ran == 0:
                return 0  # a stale or duplicate hint: nothing was waiting
            now = time.monotonic()
            idle_until = idle_until or now + linger
            if now >= idle_until:
                return ran
            time.sleep(_POLL_S)
            continue
        idle_until = None
        execution_run_claimed(claimed)
        ran += 1
    drain_send()  # budget spent with work maybe left: continue after the other queues
    return ran


def execution_run(*, execution_id: Any) -> bool:
    """Run one queued execution now, in this process (tests, tools). False if not queued."""
    relaxed_session()
    claimed = execution_claim(owner=uuid.uuid4().hex, execution_id=execution_id)
    if claimed is None:
        return False
    execution_run_claimed(claimed)
    return True


def execution_run_claimed(claimed: Claimed) -> None:
    """Run a claimed execution as far as it can go now and record the outcome."""
    # On every log line of the run; its span continues the trace of the accepting request.
    with log_ids(execution_id=str(claimed.execution.pk)), run_span(claimed) as span:
        _run_claimed(claimed, span)


def _run_claimed(claimed: Claimed, span: tracing.Span) -> None:
    execution = claimed.execution
    lease_keeper.hold(claimed.owner)
    store = DatabaseStepStore(
        fresh=str(execution.pk) if claimed.first_run else None, durable=_durable
    )
    try:
        with calls_for(workspace_id=execution.workspace_id):  # the Status page's call counts
            outcome = _run_engine(claimed, store)
    except Exception as exc:  # an engine bug must still end the execution, not strand it
        logger.exception("execution.crashed", extra={"execution_id": str(execution.pk)})
        outcome = Outcome(
            status="failed",
            error=StepError(
                message=f"The engine failed: {type(exc).__name__}", code="engine_error"
            ),
        )
    finally:
        store.close_thread_connections()
    run_ended(span, outcome)
    try:
        # If this write fails (the database is away) the lease runs out and the sweep
        # queues the run again; it resumes from the checkpoints that were written.
        _record_outcome(claimed, outcome, store.take_pending())
    finally:
        lease_keeper.release(claimed.owner)


@lru_cache(maxsize=512)
def _durable(block_ref: str) -> bool:
    """Steps of blocks with side effects are written at once; the rest may wait for a batch
    (an unknown block counts as having side effects)."""
    block = default_registry.find(block_ref)
    return block is None or block.spec.side_effects


def _record_outcome(claimed: Claimed, outcome: Outcome, steps: list[ExecutionStep]) -> None:
    if outcome.status == "waiting":
        if (
            execution_park(claimed=claimed, wake_at=outcome.wake_at, steps=steps)
            and outcome.wake_at is not None
        ):
            _wake_soon(claimed.execution.pk, outcome.wake_at)
        return
    status = _OUTCOME_STATUS[outcome.status]
    pk = claimed.execution.pk
    output = run_scrub(pk, outcome.output) if outcome.status == "succeeded" else None
    error = run_scrub(pk, outcome.error.to_dict() if outcome.error else None)
    if execution_finish(claimed=claimed, status=status, output=output, error=error, steps=steps):
        _tell_parent(claimed.execution)
        if status == S.FAILED:
            _retry_later(claimed.execution)


def execution_fail_dead(*, execution_id: Any) -> None:
    """Fail a running execution whose workers kept dying in it (the sweep's verdict)."""
    with transaction.atomic():
        execution = (
            Execution.objects.select_for_update().filter(pk=execution_id, status=S.RUNNING).first()
        )
        if execution is None:
            return
        deaths = execution.deliveries + 1
        execution.status, execution.finished_at = S.FAILED, timezone.now()
        execution.error = {
            "code": "too_many_deliveries",
            "message": f"Its worker died {deaths} times while running it.",
        }
        Execution.objects.filter(pk=execution_id).update(
            status=S.FAILED,
            error=execution.error,
            finished_at=execution.finished_at,
            deliveries=deaths,
            wake_at=None,
            lease_owner="",
            lease_expires_at=None,
        )
    _tell_parent(execution)


def _retry_later(execution: Execution) -> None:
    """The workflow's own retry policy, read only when a run failed."""
    workflow = Workflow.objects.only("retry_attempts", "retry_delay_seconds").get(
        pk=execution.workflow_id
    )
    retry = execution_retry_later(failed=execution, workflow=workflow)
    if retry is not None:
        logger.info(
            "execution.retry_scheduled",
            extra={
                "execution_id": str(execution.pk),
                "retry_id": str(retry.pk),
                "attempt": retry.attempt,
                "wake_at": retry.wake_at.isoformat(),
            },
        )
        if retry.wake_at is not None:
            _wake_soon(retry.pk, retry.wake_at)


def _tell_parent(execution: Execution) -> None:
    """A finished sub-workflow hands its result to the parent step waiting for it."""
    if not (execution.parent_id and execution.parent_step):
        return
    succeeded = execution.status == S.SUCCEEDED
    execution_resume(
        execution_id=execution.parent_id,
        key=execution.parent_step,
        payload={
            "status": "succeeded" if succeeded else "failed",
            "output": execution.output,
            "execution_id": str(execution.pk),
            "error": None if succeeded else (execution.error or {}).get("message"),
        },
    )


def _wake_soon(execution_id: Any, wake_at: Any) -> None:
    """Wake a short wait with a delayed hint; the sweep is the backstop if it is lost or
    early (a waiting execution that is not due yet is left alone)."""
    from apps.workflows.tasks import wake_execution_task

    delay = (wake_at - timezone.now()).total_seconds()
    if delay > _SHORT_WAIT.total_seconds():
        return
    try:
        wake_execution_task.apply_async(
            args=[str(execution_id)], countdown=max(0.0, delay) + 0.05, retry=False
        )
    except Exception:  # the sweep wakes it
        logger.warning("execution.wake_send_failed", exc_info=True)


def execution_wake(*, execution_id: Any) -> bool:
    """Queue a waiting execution whose wake-up time has come; False if it is not due."""
    with transaction.atomic():
        woken = Execution.objects.filter(
            pk=execution_id, status=S.WAITING, wake_at__lte=timezone.now()
        ).update(status=S.QUEUED, wake_at=None)
    return bool(woken)


@lru_cache(maxsize=256)
def _published_plan(version_id: Any) -> Plan:
    """Published versions are immutable, so their plans are compiled once per process."""
    graph = WorkflowVersion.objects.values_list("graph", flat=True).get(pk=version_id)
    return build_plan(graph, default_registry)


def _run_engine(claimed: Claimed, store: DatabaseStepStore) -> Outcome:
    execution = claimed.execution
    budgets = workspace_budgets(workspace_id=execution.workspace_id)
    runner = Runner(
        default_registry,
        store=store,
        kv=cache,
        max_steps=budgets.max_steps,
        max_step_output_bytes=budgets.max_step_output_bytes,
        max_output_bytes=budgets.max_run_output_bytes,
        resume=ExecutionResumeSource(execution.resumes),
        cancel=ExecutionCancelSignal(),
        sub_workflows=SubWorkflows(execution),
        services=block_services(workspace_id=execution.workspace_id, execution_id=execution.pk),
        secrets=secrets_for(workspace_id=execution.workspace_id, execution_id=execution.pk),
        http=outbound_http(),
        logger=logger,
        observer=_STEP_TRACER if tracing.active() else None,
    )  # off: not even a no-op span
    if execution.version_id:
        plan = _published_plan(execution.version_id)
    else:
        plan = runner.prepare(execution.draft_graph)
    request = RunRequest(
        execution_id=str(execution.pk),
        trigger_payload=execution.input,
        workspace_id=str(execution.workspace_id),
        workflow={
            "id": str(execution.workflow_id),
            "name": claimed.workflow_name,
            "version": claimed.version_number,
        },
        execution={"mode": execution.mode, "started_at": execution.started_at.isoformat()},
    )
    if execution.rerun_from_node and execution.parent_id:
        previous = DatabaseStepStore().steps(str(execution.parent_id))
        return runner.rerun_from(plan, request, execution.rerun_from_node, previous)
    return runner.run(plan, request)


def node_test_run(*, workflow: Workflow, node_id: str, pinned: dict[str, Any]) -> dict[str, Any]:
    """Run one node of the draft against pinned data; nothing is recorded."""
    references_validate(workflow.graph, workspace_id=workflow.workspace_id)
    try:
        plan = build_plan(workflow.graph, default_registry)
    except GraphInvalid as exc:
        raise InvalidInput(
            "The workflow graph is invalid.", extra={"issues": [i.to_dict() for i in exc.issues]}
        ) from exc
    if node_id not in plan.nodes:
        raise InvalidInput(
            f"Node {node_id!r} is not in the workflow.", fields={"node_id": ["Unknown node id."]}
        )
    budgets = workspace_budgets(workspace_id=workflow.workspace_id)
    runner = Runner(
        default_registry,
        store=InMemoryStepStore(),
        kv=cache,
        logger=logger,
        max_step_output_bytes=budgets.max_step_output_bytes,
        services=block_services(workspace_id=workflow.workspace_id),
        secrets=secrets_for(workspace_id=workflow.workspace_id),
        http=outbound_http(),
    )
    request = RunRequest(
        execution_id=f"test-{uuid.uuid4()}",
        trigger_payload=pinned.get("trigger"),
        workspace_id=str(workflow.workspace_id),
        workflow={"id": str(workflow.pk), "name": workflow.name},
        execution={"mode": "test"},
    )
    with calls_for(workspace_id=workflow.workspace_id):
        return runner.run_node(plan, node_id, pinned=pinned, request=request).to_dict()
