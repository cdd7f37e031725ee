"""Running executions on workers: claim with a lease, run the engine, record the outcome.

One Celery task runs one execution (`execution_run`). The database row is the truth:
- a worker claims the row under `select_for_update` and holds a lease it renews from a
  heartbeat thread; a second delivery of the same task sees the live lease and does nothing;
- every finished step is checkpointed by the engine through `DatabaseStepStore`, so a
  redelivered execution resumes and never repeats a finished step;
- waiting never holds a worker: the row is parked with `wake_at` and the sweep
  (`execution_sweep`, run by beat) wakes it, re-sends queued work the broker lost and hands
  executions whose worker died (expired lease) to another worker.
"""

import logging
import threading
import uuid
from datetime import timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from apps.blocks.registry import default_registry
from apps.blocks.sdk import SubWorkflowResult
from apps.credentials.resolver import outbound_http, run_scrub, secrets_for
from apps.workflows.block_host import block_services
from apps.workflows.engine.errors import GraphInvalid
from apps.workflows.engine.graph import Plan, build_plan
from apps.workflows.engine.memory import InMemoryStepStore
from apps.workflows.engine.runner import Runner
from apps.workflows.engine.types import Outcome, RunRequest, StepError
from apps.workflows.models import Execution, Workflow, WorkflowVersion
from apps.workflows.persistence import (
    DatabaseStepStore,
    ExecutionCancelSignal,
    ExecutionResumeSource,
    relaxed_commit,
)
from apps.workflows.services import execution_create, execution_enqueue
from apps.workspaces.exceptions import InvalidInput
from apps.workspaces.models import Workspace

logger = logging.getLogger(__name__)

S = Execution.Status
# A wake-up this close is sent with a countdown instead of waiting for the next sweep.
_SHORT_WAIT = timedelta(seconds=10)


def execution_run(*, execution_id: Any) -> None:
    """Run (or resume) one execution as far as it can go now. Safe to call twice."""
    owner = uuid.uuid4().hex
    claimed = _claim(execution_id, owner)
    if claimed is None:
        return
    execution, first_run = claimed
    heartbeat = _Heartbeat(execution.pk, owner)
    heartbeat.start()
    store = DatabaseStepStore(fresh=str(execution.pk) if first_run else None)
    try:
        outcome = _run_engine(execution, store)
    except Exception as exc:  # an engine bug must still end the execution, not strand it
        logger.exception("execution.crashed", extra={"execution_id": str(execution.pk)})
        outcome = Outcome(status="failed", error=StepError(
            message=f"The engine failed: {type(exc).__name__}", code="engine_error"))
    finally:
        heartbeat.stop()
        store.close_thread_connections()
    _finish(execution.pk, owner, outcome)


def _claim(execution_id: Any, owner: str) -> tuple[Execution, bool] | None:
    """Take the execution for this worker: (the row, whether it never ran before), or None
    when there is nothing to do now."""
    now = timezone.now()
    with transaction.atomic():
        relaxed_commit()
        execution = (Execution.objects.select_for_update(of=("self",))
                     .select_related("version", "workflow")
                     .filter(pk=execution_id).first())
        if execution is None or execution.is_finished:
            return None
        if execution.status == S.WAITING and (execution.wake_at is None
                                              or execution.wake_at > now):
            return None  # not due (a resume call or the sweep will queue it)
        if execution.status == S.RUNNING and execution.lease_expires_at and \
                execution.lease_expires_at > now:
            return None  # another worker holds it; if that worker dies the sweep retries
        if execution.cancel_requested:
            _mark_finished(execution, S.CANCELLED, now, error={
                "code": "cancelled", "message": "Cancelled before it started."})
            return None
        if _workspace_is_busy(execution, now):
            transaction.on_commit(
                lambda: execution_enqueue(execution_id=execution.pk, countdown=1))
            return None
        if execution.status == S.RUNNING:  # its lease ran out: the last worker died in it
            execution.deliveries += 1
            if execution.deliveries > settings.EXECUTION_MAX_DELIVERIES:
                _mark_finished(execution, S.FAILED, now, error={
                    "code": "too_many_deliveries",
                    "message": f"Its worker died {execution.deliveries - 1} times while "
                               "running it."})
                return None
        execution.status = S.RUNNING
        execution.lease_owner = owner
        execution.lease_expires_at = now + timedelta(seconds=settings.EXECUTION_LEASE_SECONDS)
        first_run = execution.started_at is None
        execution.started_at = execution.started_at or now
        execution.save(update_fields=["status", "lease_owner", "lease_expires_at", "deliveries",
                                      "started_at"])
    return execution, first_run


def _workspace_is_busy(execution: Execution, now: Any) -> bool:
    """True when the workspace already runs its share: the run is deferred, not dropped."""
    cap = settings.WORKSPACE_MAX_RUNNING
    if cap <= 0:
        return False
    # Serialise claims per workspace so two workers cannot both take the last slot.
    Workspace.objects.select_for_update().filter(pk=execution.workspace_id).exists()
    running = Execution.objects.filter(workspace_id=execution.workspace_id, status=S.RUNNING,
                                       lease_expires_at__gt=now).exclude(pk=execution.pk)
    return running.count() >= cap


@lru_cache(maxsize=256)
def _published_plan(version_id: Any) -> Plan:
    """Published versions are immutable, so their plans are compiled once per process."""
    graph = WorkflowVersion.objects.values_list("graph", flat=True).get(pk=version_id)
    return build_plan(graph, default_registry)


def _run_engine(execution: Execution, store: DatabaseStepStore) -> Outcome:
    runner = Runner(
        default_registry, store=store, kv=cache,
        resume=ExecutionResumeSource(execution.resumes), cancel=ExecutionCancelSignal(),
        sub_workflows=SubWorkflows(execution),
        services=block_services(workspace_id=execution.workspace_id),
        secrets=secrets_for(workspace_id=execution.workspace_id, execution_id=execution.pk),
        http=outbound_http(), logger=logger)
    if execution.version_id:
        plan = _published_plan(execution.version_id)
    else:
        plan = runner.prepare(execution.draft_graph)
    request = RunRequest(
        execution_id=str(execution.pk), trigger_payload=execution.input,
        workspace_id=str(execution.workspace_id),
        workflow={"id": str(execution.workflow_id), "name": execution.workflow.name,
                  "version": execution.version.number if execution.version else None},
        execution={"mode": execution.mode, "started_at": execution.started_at.isoformat()})
    if execution.rerun_from_node and execution.parent_id:
        previous = DatabaseStepStore().steps(str(execution.parent_id))
        return runner.rerun_from(plan, request, execution.rerun_from_node, previous)
    return runner.run(plan, request)


def node_test_run(*, workflow: Workflow, node_id: str, pinned: dict[str, Any]) -> dict[str, Any]:
    """Run one node of the draft against pinned data; nothing is recorded."""
    try:
        plan = build_plan(workflow.graph, default_registry)
    except GraphInvalid as exc:
        raise InvalidInput("The workflow graph is invalid.",
                           extra={"issues": [i.to_dict() for i in exc.issues]}) from exc
    if node_id not in plan.nodes:
        raise InvalidInput(f"Node {node_id!r} is not in the workflow.",
                           fields={"node_id": ["Unknown node id."]})
    runner = Runner(default_registry, store=InMemoryStepStore(), kv=cache, logger=logger,
                    services=block_services(workspace_id=workflow.workspace_id),
                    secrets=secrets_for(workspace_id=workflow.workspace_id),
                    http=outbound_http())
    request = RunRequest(execution_id=f"test-{uuid.uuid4()}",
                         trigger_payload=pinned.get("trigger"),
                         workspace_id=str(workflow.workspace_id),
                         workflow={"id": str(workflow.pk), "name": workflow.name},
                         execution={"mode": "test"})
    return runner.run_node(plan, node_id, pinned=pinned, request=request).to_dict()


def _finish(execution_id: Any, owner: str, outcome: Outcome) -> None:
    now = timezone.now()
    with transaction.atomic():
        relaxed_commit()
        execution = Execution.objects.select_for_update().filter(pk=execution_id).first()
        if execution is None:  # deleted while it ran (its workflow was deleted)
            return
        if execution.lease_owner != owner:
            logger.warning("execution.lease_lost", extra={"execution_id": str(execution_id)})
            return
        error = run_scrub(execution_id, outcome.error.to_dict() if outcome.error else None)
        if outcome.status == "waiting":
            execution.status = S.WAITING
            execution.wake_at = outcome.wake_at
            execution.lease_owner, execution.lease_expires_at = "", None
            execution.save(update_fields=["status", "wake_at", "lease_owner",
                                          "lease_expires_at"])
            if outcome.wake_at is not None and outcome.wake_at - now < _SHORT_WAIT:
                _wake_at(execution.pk, outcome.wake_at, now)
        else:
            status = {"succeeded": S.SUCCEEDED, "failed": S.FAILED,
                      "cancelled": S.CANCELLED}[outcome.status]
            execution.output = (run_scrub(execution_id, outcome.output)
                                if outcome.status == "succeeded" else None)
            _mark_finished(execution, status, now, error=error)


def _mark_finished(execution: Execution, status: str, now: Any,
                   error: dict[str, Any] | None = None) -> None:
    execution.status = status
    execution.error = error
    execution.finished_at = now
    execution.wake_at = None
    execution.lease_owner, execution.lease_expires_at = "", None
    execution.save(update_fields=["status", "error", "output", "finished_at", "wake_at",
                                  "lease_owner", "lease_expires_at"])
    if execution.parent_id and execution.parent_step:
        result = SubWorkflowResult(
            status="succeeded" if status == S.SUCCEEDED else "failed",
            output=execution.output, execution_id=str(execution.pk),
            error=(error or {}).get("message") if status != S.SUCCEEDED else None)
        execution_resume(execution_id=execution.parent_id, key=execution.parent_step,
                         payload=_result_dict(result))


def _result_dict(result: SubWorkflowResult) -> dict[str, Any]:
    return {"status": result.status, "output": result.output, "error": result.error,
            "execution_id": result.execution_id}


def _wake_at(execution_id: Any, wake_at: Any, now: Any) -> None:
    """Wake a short wait with a countdown; the sweep is the backstop if the message is lost
    or arrives early (the claim ignores a waiting execution that is not due yet)."""
    delay = max(0.0, (wake_at - now).total_seconds())
    transaction.on_commit(
        lambda: execution_enqueue(execution_id=execution_id, countdown=delay + 0.05))


class _Heartbeat:
    """Renews the lease while the engine runs, so only a dead worker's lease expires."""

    def __init__(self, execution_id: Any, owner: str) -> None:
        self._execution_id, self._owner = execution_id, owner
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True,
                                        name=f"lease-{execution_id}")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=5)

    def _beat(self) -> None:
        lease = settings.EXECUTION_LEASE_SECONDS
        try:
            while not self._stopped.wait(lease / 3):
                Execution.objects.filter(pk=self._execution_id, lease_owner=self._owner).update(
                    lease_expires_at=timezone.now() + timedelta(seconds=lease))
        finally:
            connection.close()  # this thread's own connection


class SubWorkflows:
    """The engine's sub-workflow port: a child execution per parent step, never two."""

    def __init__(self, parent: Execution) -> None:
        self._parent = parent

    def run(self, *, workflow_id: str, version: int | None, payload: Any,
            idempotency_key: str) -> SubWorkflowResult:
        step_key = idempotency_key.split(":", 1)[1]
        child = Execution.objects.filter(parent=self._parent, parent_step=step_key).first()
        if child is None:
            child = _child_create(self._parent, workflow_id, version, payload, step_key)
        if child.status == S.SUCCEEDED:
            return SubWorkflowResult(status="succeeded", output=child.output,
                                     execution_id=str(child.pk))
        if child.status in (S.FAILED, S.CANCELLED):
            return SubWorkflowResult(status="failed", execution_id=str(child.pk),
                                     error=(child.error or {}).get("message", child.status))
        return SubWorkflowResult(status="waiting", execution_id=str(child.pk))


def _child_create(parent: Execution, workflow_id: str, version: int | None, payload: Any,
                  step_key: str) -> Execution:

    workflow = Workflow.objects.filter(pk=workflow_id, workspace_id=parent.workspace_id).first()
    if workflow is None:
        raise InvalidInput(f"Sub-workflow {workflow_id} is not in this workspace.")
    if version:
        chosen = workflow.versions.filter(number=version).first()
        if chosen is None:
            raise InvalidInput(f"Sub-workflow {workflow.name!r} has no version {version}.")
    else:
        chosen = workflow.published_version  # the live version, else the draft
    return execution_create(workflow=workflow, mode=Execution.Mode.SUB,
                            input=payload if isinstance(payload, dict) else {"value": payload},
                            version=chosen, draft=chosen is None, parent=parent,
                            parent_step=step_key)


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
            execution.dispatched_at = timezone.now()
            fields += ["status", "wake_at", "dispatched_at"]
            transaction.on_commit(lambda: execution_enqueue(execution_id=execution.pk))
        execution.save(update_fields=fields)
    return True


def execution_sweep(*, batch: int = 500) -> dict[str, int]:
    """Wake due waits, re-send queued work the broker may have lost, and rescue executions
    whose worker died (expired lease). Safe to run concurrently: rows are claimed with
    SKIP LOCKED and every resend is idempotent (the claim ignores duplicates)."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.EXECUTION_REDISPATCH_AFTER_SECONDS)
    with transaction.atomic():
        due = list(Execution.objects.select_for_update(skip_locked=True)
                   .filter(status=S.WAITING, wake_at__lte=now)
                   .values_list("pk", flat=True)[:batch])
        Execution.objects.filter(pk__in=due).update(status=S.QUEUED, wake_at=None,
                                                    dispatched_at=now)
        lost = list(Execution.objects.select_for_update(skip_locked=True)
                    .filter(status=S.QUEUED, dispatched_at__lt=stale)
                    .values_list("pk", flat=True)[:batch])
        # Not re-sent since the lease expired (a re-send moves dispatched_at past it).
        dead = list(Execution.objects.select_for_update(skip_locked=True)
                    .filter(status=S.RUNNING, lease_expires_at__lt=now,
                            dispatched_at__lt=F("lease_expires_at"))
                    .values_list("pk", flat=True)[:batch])
        Execution.objects.filter(pk__in=lost + dead).update(dispatched_at=now)
        for pk in due + lost + dead:
            transaction.on_commit(lambda pk=pk: execution_enqueue(execution_id=pk))
        counts = {"woken": len(due), "resent": len(lost), "rescued": len(dead)}
    if any(counts.values()):
        logger.info("execution.sweep", extra=counts)
    return counts
