"""Writes for workflows: create, save with optimistic concurrency, publish, rollback, import."""

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, Max, Model, ProtectedError
from django.utils import timezone

from apps.core.exceptions import Conflict, InvalidInput
from apps.observability.tracing import current_traceparent
from apps.workflows.exceptions import WorkflowNotPublished
from apps.workflows.models import Execution, Workflow, WorkflowVersion
from apps.workflows.runtime.dispatch import executions_queued
from apps.workflows.runtime.statements import insert, run_together
from apps.workflows.signals import live_version_changed
from apps.workflows.validation import graph_validate
from apps.workspaces.models import Workspace
from apps.workspaces.services import audit_build, audit_record

EXPORT_FORMAT = "flowplane.workflow"
EXPORT_FORMAT_VERSION = 1


def workflow_create(
    *,
    workspace: Workspace,
    name: str,
    description: str = "",
    graph: dict[str, Any] | None = None,
    created_by: User | None = None,
    **settings: Any,
) -> Workflow:
    """Create a draft workflow after validating its graph (`settings`: priority and retry
    fields of the model)."""
    graph = graph if graph is not None else {"nodes": [], "edges": []}
    graph_validate(graph, workspace_id=workspace.pk)
    with transaction.atomic():
        workflow = Workflow.objects.create(
            workspace=workspace,
            name=name,
            description=description,
            graph=graph,
            created_by=created_by,
            updated_by=created_by,
            **settings,
        )
        audit_record(
            workspace=workspace,
            actor=created_by,
            action="workflow.created",
            target=workflow,
            data={"name": name},
        )
    return workflow


def workflow_update(
    *, workflow: Workflow, expected_version: int, updated_by: User, **changes: Any
) -> Workflow:
    """Save changes only if nobody saved since `expected_version` was read (409 otherwise)."""
    if "graph" in changes:
        graph_validate(changes["graph"], workspace_id=workflow.workspace_id)
    with transaction.atomic():
        updated = Workflow.objects.filter(pk=workflow.pk, version=expected_version).update(
            **changes, version=F("version") + 1, updated_by=updated_by, updated_at=timezone.now()
        )
        current = Workflow.objects.get(pk=workflow.pk)
        if not updated:
            raise Conflict(
                "The workflow was changed by someone else since you loaded it.",
                extra={"current_version": current.version},
            )
        audit_record(
            workspace=current.workspace,
            actor=updated_by,
            action="workflow.updated",
            target=current,
            data={"fields": sorted(changes), "version": current.version},
        )
    return current


def workflow_publish(*, workflow: Workflow, published_by: User, note: str = "") -> WorkflowVersion:
    """Freeze the draft graph as the next immutable version and make it live."""
    graph_validate(workflow.graph, workspace_id=workflow.workspace_id, for_run=True)
    with transaction.atomic():
        locked = Workflow.objects.select_for_update().get(pk=workflow.pk)
        last = locked.versions.aggregate(n=Max("number"))["n"] or 0
        version = WorkflowVersion.objects.create(
            workflow=locked,
            number=last + 1,
            graph=locked.graph,
            note=note,
            published_by=published_by,
        )
        locked.published_version, locked.status = version, Workflow.Status.PUBLISHED
        locked.save(update_fields=["published_version", "status", "updated_at"])
        audit_record(
            workspace=locked.workspace,
            actor=published_by,
            action="workflow.published",
            target=locked,
            data={"version": version.number},
        )
        live_version_changed.send(sender=Workflow, workflow=locked)
    return version


def workflow_unpublish(*, workflow: Workflow, actor: User) -> None:
    """Take the workflow offline: triggers stop starting it; its versions are kept."""
    with transaction.atomic():
        Workflow.objects.filter(pk=workflow.pk).update(
            published_version=None, status=Workflow.Status.DRAFT
        )
        audit_record(
            workspace=workflow.workspace,
            actor=actor,
            action="workflow.unpublished",
            target=workflow,
        )
        live_version_changed.send(sender=Workflow, workflow=workflow)


def workflow_rollback(*, workflow: Workflow, number: int, actor: User) -> WorkflowVersion:
    """Make an earlier published version live again."""
    try:
        version = workflow.versions.get(number=number)
    except WorkflowVersion.DoesNotExist as exc:
        raise InvalidInput(
            f"Version {number} does not exist.",
            fields={"version": [f"No published version {number}."]},
        ) from exc
    with transaction.atomic():
        Workflow.objects.filter(pk=workflow.pk).update(
            published_version=version, status=Workflow.Status.PUBLISHED
        )
        audit_record(
            workspace=workflow.workspace,
            actor=actor,
            action="workflow.rolled_back",
            target=workflow,
            data={"version": number},
        )
        live_version_changed.send(sender=Workflow, workflow=workflow)
    return version


def workflow_export(*, workflow: Workflow) -> dict[str, Any]:
    """A portable document: the draft graph and metadata, no ids of this installation's rows."""
    return {
        "format": EXPORT_FORMAT,
        "format_version": EXPORT_FORMAT_VERSION,
        "name": workflow.name,
        "description": workflow.description,
        "graph": workflow.graph,
    }


def workflow_import(
    *, workspace: Workspace, document: dict[str, Any], imported_by: User
) -> Workflow:
    """Create a draft from an exported document. Only rows are created: nothing runs."""
    problems: dict[str, list[str]] = {}
    if document.get("format") != EXPORT_FORMAT:
        problems["document.format"] = [f"Expected {EXPORT_FORMAT!r}."]
    if document.get("format_version") != EXPORT_FORMAT_VERSION:
        problems["document.format_version"] = [f"Expected {EXPORT_FORMAT_VERSION}."]
    name = document.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        problems["document.name"] = ["A non-empty string of at most 200 characters."]
    description = document.get("description", "")
    if not isinstance(description, str):
        problems["document.description"] = ["Must be a string."]
    if "graph" not in document:
        problems["document.graph"] = ["This field is required."]
    if problems:
        raise InvalidInput("The import document is invalid.", fields=problems)
    return workflow_create(
        workspace=workspace,
        name=str(name),
        description=description,
        graph=document["graph"],
        created_by=imported_by,
    )


def workflow_delete(*, workflow: Workflow, actor: User) -> None:
    """A workflow that has run keeps its history: its versions are protected by their
    executions, so deleting it is a conflict (409), not a database error (was a 500)."""
    try:
        with transaction.atomic():
            audit_record(
                workspace=workflow.workspace,
                actor=actor,
                action="workflow.deleted",
                target=workflow,
                data={"name": workflow.name},
            )
            workflow.delete()
    except ProtectedError as exc:
        raise Conflict(
            "The workflow has executions, whose history is kept; unpublish it "
            "instead of deleting it."
        ) from exc


def execution_build(
    *,
    workflow: Workflow,
    mode: str,
    input: dict[str, Any] | None = None,
    version: WorkflowVersion | None = None,
    draft: bool = False,
    trigger: Any = None,
    parent: Execution | None = None,
    parent_step: str = "",
    rerun_from_node: str = "",
    started_by: User | None = None,
    priority: int | None = None,
) -> Execution:
    """A queued execution, not saved yet: the given `version`, else the live published
    version, or the draft when `draft` (its graph frozen on the row). Its priority is the
    workflow's unless given."""
    if draft:
        version, draft_graph = None, workflow.graph
    else:
        version = version or workflow.published_version
        draft_graph = None
        if version is None:
            raise WorkflowNotPublished("The workflow has no published version to run.")
    return Execution(
        workspace_id=workflow.workspace_id,
        workflow=workflow,
        version=version,
        draft_graph=draft_graph,
        mode=mode,
        input=input or {},
        trigger=trigger,
        parent=parent,
        parent_step=parent_step,
        rerun_from_node=rerun_from_node,
        started_by=started_by,
        priority=workflow.priority if priority is None else priority,
    )


def execution_create(**fields: Any) -> Execution:
    """Write a queued execution (`execution_build`'s arguments); workers are told once the
    transaction commits.

    Call inside the caller's transaction to make accepting work and recording it one step.
    Nothing is sent to the broker here: once the row is committed, a worker claims it
    (apps/workflows/runtime), so accepting depends on the database alone.
    """
    return executions_create_many(runs=[execution_build(**fields)])[0]


def executions_create_many(*, runs: list[Execution], also: Sequence[Model] = ()) -> list[Execution]:
    """Write built executions, and `also` rows of other models (a webhook delivery), in one
    round trip; workers are told once the transaction commits.

    One statement per model rather than the ORM's create(): the accept path is the
    platform's hottest, and a burst of schedule fires becomes one INSERT.
    """
    if not runs:
        return runs
    _carry_trace(runs)
    statements = [insert(runs)]
    for model in dict.fromkeys(type(row) for row in also):
        statements.append(insert([row for row in also if type(row) is model]))
    run_together(statements)
    for row in [*runs, *also]:
        row._state.adding = False
    transaction.on_commit(executions_queued)
    return runs


def _carry_trace(runs: Sequence[Execution]) -> None:
    """The accepting span (webhook or API request, the parent's step) becomes the parent of
    each run's `workflow.execute` in the worker."""
    traceparent = current_traceparent()
    for run in runs:
        run.trace_context = run.trace_context or traceparent


def execution_start(
    *,
    workflow: Workflow,
    input: dict[str, Any],
    draft: bool,
    started_by: User | None,
    mode: str = Execution.Mode.MANUAL,
    priority: int | None = None,
) -> Execution:
    """A manual or API run: the draft (a test run) or the live version."""
    if draft:
        graph_validate(workflow.graph, workspace_id=workflow.workspace_id, for_run=True)
        mode = Execution.Mode.TEST
    execution = execution_build(
        workflow=workflow,
        mode=mode,
        input=input,
        draft=draft,
        started_by=started_by,
        priority=priority,
    )
    # Written with the execution, in the same round trip.
    executed = audit_build(
        workspace_id=workflow.workspace_id,
        actor=started_by,
        action="workflow.executed",
        target=workflow,
        data={"execution_id": str(execution.pk), "mode": mode},
    )
    return executions_create_many(runs=[execution], also=[executed])[0]


def execution_retry_later(*, failed: Execution, workflow: Workflow) -> Execution | None:
    """The workflow-level retry of a failed run, parked until its back-off is over (the
    sweep queues it then); None when the workflow's attempts are used up. Test runs of the
    draft are not retried: the user is looking at them."""
    if failed.mode == Execution.Mode.TEST or failed.attempt > workflow.retry_attempts:
        return None
    delay = workflow.retry_delay_seconds * 2 ** (failed.attempt - 1)
    retry = Execution(
        workspace_id=failed.workspace_id,
        workflow_id=failed.workflow_id,
        version_id=failed.version_id,
        draft_graph=failed.draft_graph,
        mode=Execution.Mode.RETRY,
        input=failed.input,
        trigger_id=failed.trigger_id,
        parent=failed,
        priority=failed.priority,
        attempt=failed.attempt + 1,
        status=Execution.Status.WAITING,
        wake_at=timezone.now() + timedelta(seconds=delay),
    )
    _carry_trace([retry])
    run_together([insert([retry])])
    return retry


def execution_cancel(*, execution: Execution, actor: User) -> Execution:
    """Stop at the next step boundary; work that has not started yet ends at once."""
    with transaction.atomic():
        locked = Execution.objects.select_for_update().get(pk=execution.pk)
        if locked.is_finished:
            return locked
        locked.cancel_requested = True
        fields = ["cancel_requested"]
        if locked.status in (Execution.Status.QUEUED, Execution.Status.WAITING):
            locked.status = Execution.Status.CANCELLED
            locked.finished_at = timezone.now()
            locked.error = {"code": "cancelled", "message": "Cancelled by a user."}
            fields += ["status", "finished_at", "error"]
        locked.save(update_fields=fields)
        audit_record(
            workspace=locked.workspace, actor=actor, action="execution.cancelled", target=locked
        )
    return locked


def execution_rerun(*, execution: Execution, from_node: str, started_by: User) -> Execution:
    """Run the same graph and input again: from the start, or from `from_node` reusing the
    recorded outputs of everything upstream of it."""
    graph = execution.version.graph if execution.version else execution.draft_graph
    node_ids = {node["id"] for node in (graph or {}).get("nodes", [])}
    if from_node and from_node not in node_ids:
        raise InvalidInput(
            f"Node {from_node!r} is not in the executed graph.",
            fields={"from_node": ["Unknown node id."]},
        )
    rerun = Execution(
        workspace_id=execution.workspace_id,
        workflow_id=execution.workflow_id,
        version=execution.version,
        draft_graph=execution.draft_graph,
        mode=Execution.Mode.RETRY,
        input=execution.input,
        trigger=execution.trigger,
        parent=execution,
        rerun_from_node=from_node,
        started_by=started_by,
    )
    return executions_create_many(runs=[rerun])[0]
