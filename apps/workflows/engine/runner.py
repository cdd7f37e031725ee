"""The runner: walks a plan, checkpointing every step through the store port.

Scheduling. Each scope (the main flow, the error branch, one loop-body item) is walked
in dependency order. A node becomes ready when all its incoming edges are resolved
(``join="first"`` nodes: on the first active one). An edge is *active* when its source
succeeded and activated the edge's port (or failed and the edge leaves from ``error``);
otherwise it is *dead*. A node whose inputs are all dead is skipped, and the skip
propagates. When exactly one node is ready and nothing is in flight it runs inline on
the calling thread (no thread hop for chains); when several are ready they go to a
bounded thread pool, because block work is I/O.

Checkpoints and resume. Before each node the runner asks the store for the step's record:
a finished one (succeeded, skipped, failed) is reused as it is, so a redelivered task
never repeats a side effect; a ``waiting`` one is called again only when due (its timer
passed, or the resume port has a payload for it); a ``running`` one means a worker died
mid-step: it runs again, and fails with ``worker_lost`` after ``max_redeliveries``.

Outcome. ``succeeded`` with the workflow output: the output of the last (in topological
order) ``workflow_output`` node that succeeded (``set_output``), else of the last node
that succeeded. ``failed`` on an unhandled step failure: scheduling stops, in-flight
steps finish, then the error branch (the ``error_trigger`` node and what follows it)
runs with ``{"error": ...}`` as its input. ``waiting`` when steps parked and nothing
else can run. ``cancelled`` when the cancel port said so at a step boundary.

One module, past the ~400-line guideline on purpose: scheduling, checkpoints, the error
branch and loop bodies are one concern (walking a plan) and share the private per-run state
(``_Execution``, ``_ScopeRun``) that a split would have to make public.
"""

from __future__ import annotations

import contextvars
import logging
import random
import threading
import uuid
from collections import deque
from collections.abc import Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from apps.blocks.registry import BlockRegistry
from apps.blocks.sdk import BodyItemResult, SubWorkflowRunner, Wake
from apps.observability.context import log_ids
from apps.workflows.engine import errors as codes
from apps.workflows.engine.budgets import OutputBudget
from apps.workflows.engine.errors import (
    ExecutionCancelled,
    ExpressionEvalError,
    StepBudgetExceeded,
    UnknownNode,
)
from apps.workflows.engine.graph import build_plan, validate_graph
from apps.workflows.engine.memory import InMemoryStepStore, NoObserver, SystemClock, memory_kv
from apps.workflows.engine.plan import ERROR_PORT, Plan, Scope
from apps.workflows.engine.ports import (
    CancelSignal,
    Clock,
    KeyValueStore,
    ResumeSource,
    StepObserver,
    StepStore,
)
from apps.workflows.engine.step import StepEnv, StepTask, execute_step, failed_record
from apps.workflows.engine.types import (
    TERMINAL,
    Outcome,
    RunRequest,
    StepError,
    StepRecord,
    StepStatus,
    ValidationIssue,
)

__all__ = ["Runner"]

_Ready = tuple[str, Mapping[str, Any] | None]  # (node id, inputs); None inputs = skip it


class Runner:
    """Runs plans against the host's ports. One instance per process is enough; it keeps
    no per-execution state between calls."""

    def __init__(
        self,
        registry: BlockRegistry,
        *,
        store: StepStore,
        kv: KeyValueStore | None = None,
        clock: Clock | None = None,
        resume: ResumeSource | None = None,
        cancel: CancelSignal | None = None,
        sub_workflows: SubWorkflowRunner | None = None,
        secrets: Any = None,
        http: Any = None,
        services: Mapping[str, Any] | None = None,
        max_workers: int = 8,
        max_redeliveries: int = 3,
        max_orphans: int = 16,
        max_steps: int = 10_000,
        max_step_output_bytes: int | None = None,
        max_output_bytes: int | None = None,
        rng: random.Random | None = None,
        logger: logging.Logger | None = None,
        observer: StepObserver | None = None,
    ) -> None:
        self.registry = registry
        self.store = store
        self.clock: Clock = clock or SystemClock()
        # Without a shared KV, policies still work, but only within this process.
        self.kv: KeyValueStore = kv if kv is not None else memory_kv(self.clock)
        self.resume = resume
        self.cancel = cancel
        self.services = {**(services or {}), "sub_workflows": sub_workflows}
        self.secrets, self.http = secrets, http
        self.max_workers = max_workers
        self.max_redeliveries = max_redeliveries
        self.max_orphans = max_orphans
        # Every step is a stored row: a loop whose items doubled 16 times made 65,539 of them.
        self.max_steps = max_steps
        # Every output is stored too: bytes of one step's output, and of all of a run's.
        self.max_step_output_bytes, self.max_output_bytes = max_step_output_bytes, max_output_bytes
        self.rng = rng or random.Random()  # noqa: S311 - jitter, not crypto
        self.logger = logger or logging.getLogger("flowplane.engine")
        self.observer: StepObserver = observer or NoObserver()

    # --- public surface ----------------------------------------------------------------

    def validate(self, graph: Any) -> list[ValidationIssue]:
        return validate_graph(graph, self.registry)

    def prepare(self, graph: Any) -> Plan:
        """Validate and compile once; cache the plan per immutable workflow version."""
        return build_plan(graph, self.registry)

    def run(self, graph: Plan | Mapping[str, Any], request: RunRequest) -> Outcome:
        """Run (or resume) one execution as far as it can go now."""
        plan = graph if isinstance(graph, Plan) else self.prepare(graph)
        return _Execution(self, plan, request, self.store).run()

    def rerun_from(
        self,
        graph: Plan | Mapping[str, Any],
        request: RunRequest,
        node_id: str,
        previous: Mapping[str, StepRecord],
    ) -> Outcome:
        """Run a new execution that reuses ``previous`` step records except for ``node_id``,
        everything downstream of it, and the loops enclosing it."""
        plan = graph if isinstance(graph, Plan) else self.prepare(graph)
        if node_id not in plan.nodes:
            raise UnknownNode(node_id)
        invalid = {node_id, *plan.descendants(node_id)}
        parent = plan.parents.get(node_id)
        while parent is not None:
            invalid |= {parent, *plan.descendants(parent)}
            parent = plan.parents.get(parent)
        seeds = {
            key: record
            for key, record in previous.items()
            if record.node_id not in invalid and record.status in TERMINAL
        }
        return _Execution(self, plan, request, _SeededStore(self.store, seeds)).run()

    def run_node(
        self,
        graph: Plan | Mapping[str, Any],
        node_id: str,
        *,
        pinned: Mapping[str, Any] | None = None,
        inputs: Mapping[str, Any] | None = None,
        request: RunRequest | None = None,
    ) -> StepRecord:
        """Test-run one node against pinned data, recording nothing in the host's store.

        ``pinned``: ``{"trigger": ..., "nodes": {id: output}, "vars": {...}, "item": ...,
        "index": ...}``. ``inputs`` defaults to the pinned outputs of the node's sources.
        """
        plan = graph if isinstance(graph, Plan) else self.prepare(graph)
        if node_id not in plan.nodes:
            raise UnknownNode(node_id)
        pinned = pinned or {}
        request = request or RunRequest(execution_id=f"test-{uuid.uuid4()}")
        execution = _Execution(self, plan, request, InMemoryStepStore())
        context = execution.base_context
        context["trigger"] = pinned.get("trigger")
        context["nodes"] = {
            k: {"output": v, "status": "succeeded"} for k, v in (pinned.get("nodes") or {}).items()
        }
        context["vars"].update(pinned.get("vars") or {})
        path: tuple[int, ...] = ()
        parent = plan.parents.get(node_id)
        if parent is not None:
            context["item"], context["index"] = pinned.get("item"), pinned.get("index", 0)
            path = (int(context["index"]),)
        scope = plan.bodies[parent] if parent is not None else _scope_of(plan, node_id)
        if inputs is None:
            pinned_nodes = pinned.get("nodes") or {}
            inputs = {
                e.source: pinned_nodes[e.source]
                for e in scope.incoming.get(node_id, ())
                if e.source in pinned_nodes
            }
            if node_id == plan.trigger_id:
                inputs = {"payload": request.trigger_payload}
        walker = _ScopeRun(execution, scope, context, path, concurrent=False, entry_inputs={})
        try:
            prepared = walker.prepare(node_id, inputs)
            if isinstance(prepared, StepRecord):
                return prepared
            record = walker.execute(prepared)
            if record is None:
                raise ExecutionCancelled(request.execution_id)
            return record
        finally:
            execution.close()


def _scope_of(plan: Plan, node_id: str) -> Scope:
    if plan.error_scope is not None and node_id in plan.error_scope.incoming:
        return plan.error_scope
    return plan.root


class _SeededStore:
    """The host's store, falling back to a previous execution's records (re-run from a node).

    A seed that is used is copied into the new execution, so its history is complete and
    a redelivery of the re-run finds it in the real store.
    """

    def __init__(self, store: StepStore, seeds: Mapping[str, StepRecord]) -> None:
        self._store, self._seeds = store, seeds

    def step(self, execution_id: str, key: str) -> StepRecord | None:
        record = self._store.step(execution_id, key)
        if record is None and key in self._seeds:
            record = self._seeds[key]
            self._store.record_step(execution_id, record)
        return record

    def record_step(self, execution_id: str, record: StepRecord) -> None:
        self._store.record_step(execution_id, record)


class _Execution:
    """State of one ``run`` call: context, collected steps and waits, the thread pool."""

    def __init__(self, runner: Runner, plan: Plan, request: RunRequest, store: StepStore) -> None:
        self.runner, self.plan, self.request = runner, plan, request
        self.lock = threading.Lock()
        self.steps: dict[str, StepRecord] = {}
        self.waits: list[StepRecord] = []
        self.cancelled = False
        self._pool: ThreadPoolExecutor | None = None
        cancel = runner.cancel
        self.env = StepEnv(
            execution_id=request.execution_id,
            workspace_id=request.workspace_id,
            store=store,
            kv=runner.kv,
            clock=runner.clock,
            rng=runner.rng,
            logger=runner.logger,
            secrets=runner.secrets,
            http=runner.http,
            services=runner.services,
            max_orphans=runner.max_orphans,
            budget=OutputBudget(runner.max_step_output_bytes, runner.max_output_bytes),
            is_cancelled=(lambda: cancel.is_cancelled(request.execution_id))
            if cancel is not None
            else (lambda: False),
        )
        self.base_context: dict[str, Any] = {
            "trigger": None,
            "nodes": {},
            "vars": dict(request.variables),
            "workflow": dict(request.workflow),
            "execution": {**request.execution, "id": request.execution_id},
        }

    def check_cancel(self) -> bool:
        if not self.cancelled and self.env.is_cancelled():
            self.cancelled = True
        return self.cancelled

    def pool(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(
                self.runner.max_workers, thread_name_prefix="flowplane-branch"
            )
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)

    def run(self) -> Outcome:
        plan = self.plan
        try:
            entry = {plan.trigger_id: {"payload": self.request.trigger_payload}}
            root = _ScopeRun(
                self, plan.root, self.base_context, (), concurrent=True, entry_inputs=entry
            )
            root.run()
            if self.cancelled:
                return Outcome("cancelled", steps=dict(self.steps))
            if root.failure is not None:
                ran = False
                if plan.error_scope is not None:
                    error_entry = plan.error_scope.entries[0]
                    branch = _ScopeRun(
                        self,
                        plan.error_scope,
                        self.base_context,
                        (),
                        concurrent=True,
                        entry_inputs={error_entry: {"error": root.failure.to_dict()}},
                    )
                    branch.run()
                    ran = True
                return Outcome(
                    "failed", error=root.failure, steps=dict(self.steps), error_branch_ran=ran
                )
            if self.waits:
                untils = [w.park.until for w in self.waits if w.park and w.park.until]
                awaiting = tuple(
                    sorted(
                        w.key
                        for w in self.waits
                        if w.park
                        and w.park.resume_required
                        and not plan.nodes[w.node_id].block.spec.has_body
                    )
                )
                return Outcome(
                    "waiting",
                    wake_at=min(untils) if untils else None,
                    awaiting=awaiting,
                    steps=dict(self.steps),
                )
            return Outcome("succeeded", output=self._workflow_output(root), steps=dict(self.steps))
        finally:
            self.close()

    def _workflow_output(self, root: _ScopeRun) -> Any:
        rank = self.plan.order_index
        done = [r for r in root.records.values() if r.status is StepStatus.SUCCEEDED]
        marked = [r for r in done if self.plan.nodes[r.node_id].block.spec.workflow_output]
        chosen = marked or done
        if not chosen:
            return None
        return max(chosen, key=lambda r: rank[r.node_id]).output


class _ScopeRun:
    """Walks one scope (see the module docstring)."""

    def __init__(
        self,
        execution: _Execution,
        scope: Scope,
        context: dict[str, Any],
        path: tuple[int, ...],
        *,
        concurrent: bool,
        entry_inputs: Mapping[str, Mapping[str, Any]],
    ) -> None:
        self.ex, self.scope, self.context, self.path = execution, scope, context, path
        self.suffix = "".join(f"[{i}]" for i in path)
        self.concurrent = concurrent
        self.entry_inputs = entry_inputs
        self.pending = {node_id: len(edges) for node_id, edges in scope.incoming.items()}
        self.inputs: dict[str, dict[str, Any]] = {}
        self.started: set[str] = set()
        self.records: dict[str, StepRecord] = {}
        self.waits: list[StepRecord] = []
        self.failure: StepError | None = None
        self.cancelled = False
        self.rechecked: set[str] = set()

    # --- the walk ----------------------------------------------------------------------

    def run(self) -> None:
        ready: deque[_Ready] = deque()
        for entry in self.scope.entries:
            self.started.add(entry)
            ready.append((entry, self.entry_inputs.get(entry, {})))
        in_flight: dict[Future[StepRecord | None], str] = {}
        while True:
            while ready and self.failure is None and not self.cancelled:
                node_id, inputs = ready.popleft()
                if inputs is None:
                    self._skip(node_id, ready)
                    continue
                if self.ex.check_cancel():
                    self.cancelled = True
                    break
                prepared = self.prepare(node_id, inputs)
                if isinstance(prepared, StepRecord):
                    self._apply(prepared, ready)
                elif self.concurrent and (ready or in_flight):
                    # The branch runs in the caller's context: the host's trace span, say.
                    in_flight[
                        self.ex.pool().submit(
                            contextvars.copy_context().run, self.execute, prepared
                        )
                    ] = node_id
                else:
                    record = self.execute(prepared)
                    if record is not None:
                        self._apply(record, ready)
            if not in_flight:
                return
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                del in_flight[future]
                record = future.result()
                if record is not None:
                    self._apply(record, ready)

    def prepare(self, node_id: str, inputs: Mapping[str, Any]) -> StepTask | StepRecord:
        """Decide what to do with a ready node: reuse its record, keep it waiting, or run it."""
        ex, env = self.ex, self.ex.env
        pnode = ex.plan.nodes[node_id]
        spec = pnode.block.spec
        key = node_id + self.suffix
        attempts = lost = 0
        wake: Wake | None = None
        started_at: datetime | None = None
        existing = env.store.step(env.execution_id, key)
        if existing is not None:
            if existing.status in TERMINAL:
                return existing
            started_at = existing.started_at
            if existing.status is StepStatus.WAITING and existing.park is not None:
                park = existing.park
                due = park.until is not None and env.clock.now() >= park.until
                if park.kind != "block":  # retry back-off or rate window: call again when due
                    if not due:
                        return existing
                    attempts = existing.attempts
                else:
                    signal = None
                    if park.resume_required and ex.runner.resume is not None:
                        signal = ex.runner.resume.resume_payload(env.execution_id, key)
                    if signal is not None:
                        wake = Wake("resume", signal.payload, park.until)
                    elif due:
                        wake = Wake("time", None, park.until)
                    elif not spec.has_body:  # a loop re-enters: its items decide themselves
                        return existing
            elif existing.status is StepStatus.RUNNING:
                attempts, lost = existing.attempts, existing.lost + 1
        task = StepTask(
            pnode=pnode,
            key=key,
            path=self.path,
            config=pnode.config,
            inputs=inputs,
            context=self.context,
            attempts_before=attempts,
            lost=lost,
            wake=wake,
            started_at=started_at,
            handled=any(e.handle == ERROR_PORT for e in self.scope.outgoing.get(node_id, ())),
            body=_BodyRunner(ex, node_id, self.context, self.path) if spec.has_body else None,
        )
        if lost > ex.runner.max_redeliveries:
            return self._store(
                failed_record(
                    task,
                    env,
                    codes.WORKER_LOST,
                    f"step {key!r} was running when its worker died {lost} times",
                    started_at,
                )
            )
        if existing is None and len(ex.steps) >= ex.runner.max_steps:
            return self._store(
                failed_record(
                    task,
                    env,
                    codes.STEP_BUDGET,
                    f"the run reached its budget of {ex.runner.max_steps} steps; step {key!r} "
                    "was not started",
                )
            )
        try:
            config = pnode.template(self.context)
        except ExpressionEvalError as exc:
            return self._store(failed_record(task, env, codes.EXPRESSION_ERROR, str(exc)))
        context = self.context
        if spec.deferred_fields:  # evaluated later, maybe on another thread: freeze a view
            context = {**context, "nodes": dict(context["nodes"])}
        return replace(task, config=config, context=context)

    def execute(self, task: StepTask) -> StepRecord | None:
        try:
            block = task.pnode.block
            # The step's log lines carry its node id; the observer sees it start and end.
            with (
                log_ids(execution_id=self.ex.env.execution_id, node_id=task.pnode.id),
                self.ex.runner.observer.step(
                    node_id=task.pnode.id, block_type=block.key, block_version=block.version
                ) as watch,
            ):
                record = execute_step(task, self.ex.env)
                watch.finished(record)
                return record
        except ExecutionCancelled:
            self.ex.cancelled = True
            self.cancelled = True
            return None

    def _store(self, record: StepRecord) -> StepRecord:
        self.ex.env.store.record_step(self.ex.env.execution_id, record)
        return record

    def _skip(self, node_id: str, ready: deque[_Ready]) -> None:
        env = self.ex.env
        key = node_id + self.suffix
        record = env.store.step(env.execution_id, key)
        if record is None or record.status not in TERMINAL:
            now = env.clock.now()
            record = self._store(
                StepRecord(
                    key=key,
                    node_id=node_id,
                    block=self.ex.plan.nodes[node_id].block.ref,
                    status=StepStatus.SKIPPED,
                    started_at=now,
                    finished_at=now,
                )
            )
        self._apply(record, ready)

    def _apply(self, record: StepRecord, ready: deque[_Ready]) -> None:
        """Fold a step's record into the context and release what it unblocks."""
        node_id = record.node_id
        self.records[node_id] = record
        with self.ex.lock:
            self.ex.steps[record.key] = record
        nodes = self.context["nodes"]
        status = record.status
        if status is StepStatus.SUCCEEDED:
            nodes[node_id] = {"output": record.output, "status": "succeeded"}
            if node_id == self.ex.plan.trigger_id:
                self.context["trigger"] = record.output
            if record.variables:
                with self.ex.lock:
                    self.context["vars"].update(record.variables)
            self._release(node_id, record.handles, record.output, ready)
        elif status is StepStatus.SKIPPED:
            nodes[node_id] = {"output": None, "status": "skipped"}
            self._release(node_id, (), None, ready)
        elif status is StepStatus.FAILED:
            error = record.error or StepError("unknown failure", codes.EXCEPTION)
            as_dict = error.to_dict()
            nodes[node_id] = {"output": None, "error": as_dict, "status": "failed"}
            if record.handled:
                self._release(node_id, (ERROR_PORT,), as_dict, ready)
            elif self.failure is None:
                self.failure = error
        else:  # waiting: its descendants stay pending until it wakes
            if self._resume_arrived_early(record):
                ready.appendleft((node_id, (record.input or {}).get("inputs") or {}))
                return
            self.waits.append(record)
            with self.ex.lock:
                self.ex.waits.append(record)

    def _resume_arrived_early(self, record: StepRecord) -> bool:
        """A resume call can land between the block parking and the host seeing ``waiting``
        (a fast webhook, an approval link clicked at once). Pick it up now, once per step,
        instead of parking an execution that already has its answer."""
        park, resume = record.park, self.ex.runner.resume
        if (
            park is None
            or not park.resume_required
            or park.kind != "block"
            or resume is None
            or record.key in self.rechecked
            or self.ex.plan.nodes[record.node_id].block.spec.has_body
        ):
            return False
        self.rechecked.add(record.key)
        return resume.resume_payload(self.ex.env.execution_id, record.key) is not None

    def _release(
        self, node_id: str, handles: tuple[str, ...], value: Any, ready: deque[_Ready]
    ) -> None:
        nodes = self.ex.plan.nodes
        for edge in self.scope.outgoing.get(node_id, ()):
            target = edge.target
            self.pending[target] -= 1
            active = edge.handle in handles
            if active:
                self.inputs.setdefault(target, {})[node_id] = value
            if target in self.started:
                continue
            if nodes[target].join == "first":
                if active:
                    self.started.add(target)
                    ready.append((target, dict(self.inputs[target])))
                elif self.pending[target] == 0:
                    self.started.add(target)
                    ready.append((target, None))
            elif self.pending[target] == 0:
                self.started.add(target)
                ready.append((target, self.inputs.get(target) or None))


@dataclass(frozen=True, slots=True)
class _BodyRunner:
    """``ctx.body`` of a loop node: runs its body sub-graph for one item, inline."""

    ex: _Execution
    loop_id: str
    outer: dict[str, Any]
    path: tuple[int, ...]

    def run(self, item: Any, index: int) -> BodyItemResult:
        if len(self.ex.steps) >= self.ex.runner.max_steps:  # stop the loop, not just the item
            raise StepBudgetExceeded(
                f"the run reached its budget of {self.ex.runner.max_steps} "
                f"steps at item {index} of loop {self.loop_id!r}"
            )
        scope = self.ex.plan.bodies.get(self.loop_id)
        if scope is None:  # a loop without a body yields its items
            return BodyItemResult(index, "succeeded", output=item)
        context = {**self.outer, "nodes": dict(self.outer["nodes"]), "item": item, "index": index}
        walker = _ScopeRun(
            self.ex, scope, context, (*self.path, index), concurrent=False, entry_inputs={}
        )
        walker.run()
        if walker.cancelled or self.ex.cancelled:
            raise ExecutionCancelled(self.ex.env.execution_id)
        if walker.failure is not None:
            return BodyItemResult(index, "failed", error=walker.failure.to_dict())
        if walker.waits:
            untils = [w.park.until for w in walker.waits if w.park and w.park.until]
            return BodyItemResult(
                index,
                "waiting",
                wake_at=min(untils) if untils else None,
                awaiting_resume=any(w.park.resume_required for w in walker.waits if w.park),
            )
        sinks = [n for n in scope.order if not scope.outgoing.get(n)]
        outputs = {
            n: walker.records[n].output
            for n in sinks
            if n in walker.records and walker.records[n].status is StepStatus.SUCCEEDED
        }
        if len(sinks) == 1:
            return BodyItemResult(index, "succeeded", output=outputs.get(sinks[0]))
        return BodyItemResult(index, "succeeded", output=outputs)
