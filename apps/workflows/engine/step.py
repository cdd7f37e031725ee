"""Running one step: resolved config in, checkpointed :class:`StepRecord` out.

Order of business for a step: record ``running`` -> re-validate a config that had
expressions -> result cache -> (breaker -> rate limit -> call with timeout -> check the
result) with retries -> record the final state. Short back-offs sleep through the clock
port; long ones return a ``waiting`` record so the host parks the execution.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from jmespath.exceptions import JMESPathError

from apps.blocks.sdk import BlockContext, BlockError, BlockResult, BodyRunner, Wake
from apps.core.resilience.breaker import BreakerOpen, BreakerTicket, CircuitBreaker
from apps.core.resilience.ratelimit import RateLimiter
from apps.workflows.engine import errors as codes
from apps.workflows.engine.budgets import OutputBudget
from apps.workflows.engine.config_check import fast_check
from apps.workflows.engine.errors import (
    ExecutionCancelled,
    ExpressionEvalError,
    StepBudgetExceeded,
)
from apps.workflows.engine.expressions import compile_expression, resolve
from apps.workflows.engine.plan import ERROR_PORT, PlanNode
from apps.workflows.engine.policies import (
    StepTimeout,
    TooManyOrphans,
    backoff_delay,
    call_with_timeout,
)
from apps.workflows.engine.ports import Clock, KeyValueStore, StepStore
from apps.workflows.engine.types import ParkInfo, StepError, StepRecord, StepStatus

__all__ = ["StepEnv", "StepTask", "execute_step", "failed_record"]

_MAX_RATE_WAITS = 100  # bound the short-wait loop if the window keeps filling up


@dataclass(frozen=True, slots=True)
class StepEnv:
    """What every step of one execution shares."""

    execution_id: str
    workspace_id: str | None
    store: StepStore
    kv: KeyValueStore
    clock: Clock
    rng: random.Random
    logger: logging.Logger
    secrets: Any
    http: Any
    services: Mapping[str, Any]
    max_orphans: int
    budget: OutputBudget
    is_cancelled: Callable[[], bool]


@dataclass(frozen=True, slots=True)
class StepTask:
    """A node about to run, prepared by the scheduler (config already resolved)."""

    pnode: PlanNode
    key: str
    path: tuple[int, ...]
    config: Mapping[str, Any]
    inputs: Mapping[str, Any]
    context: Mapping[str, Any]  # for ctx.evaluate of deferred fields
    handled: bool  # the node has an outgoing error edge
    attempts_before: int = 0
    lost: int = 0
    wake: Wake | None = None
    started_at: datetime | None = None
    body: BodyRunner | None = None


class _ResultError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _record(task: StepTask, status: StepStatus, **fields: Any) -> StepRecord:
    return StepRecord(
        key=task.key,
        node_id=task.pnode.id,
        block=task.pnode.block.ref,
        status=status,
        handled=task.handled and status is StepStatus.FAILED,
        lost=task.lost,
        **fields,
    )


def failed_record(
    task: StepTask, env: StepEnv, code: str, message: str, started_at: datetime | None = None
) -> StepRecord:
    """A failure decided before the block is called (bad expression, lost worker)."""
    now = env.clock.now()
    error = StepError(
        message=message,
        code=code,
        node_id=task.pnode.id,
        block=task.pnode.block.ref,
        attempts=task.attempts_before,
    )
    return _record(
        task,
        StepStatus.FAILED,
        input={"config": task.config, "inputs": task.inputs},
        error=error,
        handles=(ERROR_PORT,),
        attempts=task.attempts_before,
        started_at=started_at or now,
        finished_at=now,
    )


def _check_result(task: StepTask, result: Any, budget: OutputBudget) -> BlockResult:
    where = f"block {task.pnode.block.ref} at node {task.pnode.id!r}"
    if isinstance(result, Mapping) and not isinstance(result, BlockResult):
        result = BlockResult(outputs=result)
    if not isinstance(result, BlockResult):
        raise _ResultError(
            codes.INVALID_RESULT, f"{where} returned {type(result).__name__}, not a BlockResult"
        )
    if not isinstance(result.outputs, Mapping):
        raise _ResultError(codes.INVALID_RESULT, f"{where}: outputs must be a mapping")
    try:
        size = len(json.dumps(result.outputs, allow_nan=False))  # ASCII: characters are bytes
        if result.variables is not None:
            json.dumps(result.variables, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise _ResultError(
            codes.OUTPUT_NOT_JSON, f"{where} returned output that is not JSON data: {exc}"
        ) from None
    over = budget.charge(task.pnode.id, size)
    if over is not None:
        raise _ResultError(*over)
    if result.handles is not None:
        for handle in result.handles:
            if handle not in task.pnode.ports or handle == ERROR_PORT:
                raise _ResultError(
                    codes.UNKNOWN_HANDLE, f"{where} activated unknown output port {handle!r}"
                )
    park = result.park
    if park is not None and park.until is None and not park.resume_token_required:
        raise _ResultError(
            codes.INVALID_RESULT, f"{where} parked without a wake-up time or a resume requirement"
        )
    return result


def _cache_key(task: StepTask, env: StepEnv, key_expr: str | None) -> str:
    basis: Any = task.config
    if key_expr:
        basis = compile_expression(key_expr).search({"config": task.config, "inputs": task.inputs})
    digest = hashlib.sha256(json.dumps(basis, sort_keys=True, default=str).encode()).hexdigest()
    return f"flowplane:cache:{task.pnode.block.ref}:{env.workspace_id}:{digest}"


def execute_step(task: StepTask, env: StepEnv) -> StepRecord:
    """Run one step under its policies and checkpoint it; never raises but for cancellation."""
    pnode, block = task.pnode, task.pnode.block
    policies = pnode.policies
    started = task.started_at or env.clock.now()
    step_input = {"config": task.config, "inputs": task.inputs}
    if block.spec.side_effects:
        env.store.record_step(
            env.execution_id,
            _record(
                task,
                StepStatus.RUNNING,
                input=step_input,
                attempts=task.attempts_before,
                started_at=started,
            ),
        )

    def finish(status: StepStatus, **fields: Any) -> StepRecord:
        record = _record(
            task,
            status,
            input=step_input,
            started_at=started,
            finished_at=env.clock.now(),
            **fields,
        )
        env.store.record_step(env.execution_id, record)
        return record

    def fail(error: StepError, attempts: int) -> StepRecord:
        error = replace(error, node_id=pnode.id, block=block.ref, attempts=attempts)
        return finish(StepStatus.FAILED, error=error, handles=(ERROR_PORT,), attempts=attempts)

    if pnode.recheck and not fast_check(block)(task.config):
        bad = next(iter(block.validator.iter_errors(task.config)), None)
        if bad is not None:
            path = "config" + "".join(
                f"[{p}]" if isinstance(p, int) else f".{p}" for p in bad.absolute_path
            )
            return fail(
                StepError(f"{path}: {bad.message}", codes.INVALID_CONFIG), task.attempts_before
            )

    cache_key = None
    if policies.cache is not None:
        try:
            cache_key = _cache_key(task, env, policies.cache.key)
        except JMESPathError as exc:
            return fail(
                StepError(f"policies.cache.key: {exc}", codes.EXPRESSION_ERROR),
                task.attempts_before,
            )
        hit = env.kv.get(cache_key)
        if hit is not None:
            return finish(
                StepStatus.SUCCEEDED,
                output=hit["outputs"],
                handles=tuple(hit["handles"]),
                attempts=task.attempts_before,
                cached=True,
            )

    scope = f"{block.key}:{env.workspace_id}"

    def seconds() -> float:  # the shared mechanisms' clock
        return env.clock.now().timestamp()

    breaker = CircuitBreaker(env.kv, clock=seconds)
    limiter = RateLimiter(env.kv, clock=seconds)
    retry = policies.retry
    suffix = "".join(f":{i}" for i in task.path)
    attempt = task.attempts_before
    wake = task.wake
    while True:
        attempt += 1
        if attempt > task.attempts_before + 1 and env.is_cancelled():
            raise ExecutionCancelled(env.execution_id)
        error: StepError
        called = False  # the breaker learns only from real calls, not from its own refusals
        ticket: BreakerTicket | None = None
        try:
            if policies.breaker is not None:
                ticket = breaker.before(
                    f"flowplane:breaker:{scope}", reset_after_s=policies.breaker.reset_after_s
                )
        except BreakerOpen:
            error = StepError(
                f"circuit breaker for {block.key!r} is open", codes.CIRCUIT_OPEN, retryable=True
            )
        else:
            if policies.rate_limit is not None:
                for _ in range(_MAX_RATE_WAITS):
                    wait = limiter.acquire(
                        f"flowplane:rate:{scope}",
                        limit=policies.rate_limit.limit,
                        period_s=policies.rate_limit.per_s,
                    )
                    if wait <= 0:
                        break
                    if wait > retry.park_after_s:
                        break
                    env.clock.sleep(wait)
                if wait > 0:  # a long wait, or the window kept filling up: park
                    if ticket is not None:
                        breaker.neutral(ticket)
                    until = env.clock.now() + timedelta(seconds=max(wait, 0.001))
                    return finish(
                        StepStatus.WAITING,
                        attempts=attempt - 1,
                        park=ParkInfo(until, False, "rate limited", "rate_limit"),
                    )
            deadline = time.time() + policies.timeout_s if policies.timeout_s else None
            ctx = BlockContext(
                execution_id=env.execution_id,
                node_id=pnode.id,
                idempotency_key=f"{env.execution_id}:{pnode.id}{suffix}",
                workspace_id=env.workspace_id,
                logger=logging.LoggerAdapter(
                    env.logger, {"execution_id": env.execution_id, "node_id": pnode.id}
                ),
                now=env.clock.now,
                evaluate=_evaluator(task.context),
                raw_config=pnode.config,
                secrets=env.secrets,
                http=env.http,
                services=env.services,
                deadline=deadline,
                attempt=attempt,
                item_index=task.path[-1] if task.path else None,
                wake=wake,
                body=task.body,
            )
            wake = None  # only the first call after a wake-up sees it
            called = True
            try:
                if policies.timeout_s:
                    call: Callable[[], Any] = partial(block.execute, ctx, task.config, task.inputs)
                    raw = call_with_timeout(call, policies.timeout_s, env.max_orphans)
                else:
                    raw = block.execute(ctx, task.config, task.inputs)
                result = _check_result(task, raw, env.budget)
            except ExecutionCancelled:
                raise
            except BlockError as exc:
                error = StepError(exc.message, exc.code, retryable=exc.retryable)
            except StepTimeout as exc:
                error = StepError(f"{block.ref} {exc}", codes.TIMEOUT, retryable=True)
            except TooManyOrphans as exc:
                error = StepError(str(exc), codes.TOO_MANY_ORPHANS, retryable=True)
            except _ResultError as exc:
                error = StepError(str(exc), exc.code)
            except ExpressionEvalError as exc:
                error = StepError(str(exc), codes.EXPRESSION_ERROR)
            except StepBudgetExceeded as exc:  # from a loop's body: the loop fails, not retried
                error = StepError(str(exc), codes.STEP_BUDGET)
            except OSError as exc:  # I/O trouble is worth another try
                error = StepError(f"{type(exc).__name__}: {exc}", codes.EXCEPTION, retryable=True)
            except Exception as exc:  # a bug in the block: do not hammer it with retries
                env.logger.exception(
                    "engine.block_crashed",
                    extra={"execution_id": env.execution_id, "node_id": pnode.id},
                )
                error = StepError(f"{type(exc).__name__}: {exc}", codes.EXCEPTION)
            else:
                if ticket is not None:
                    breaker.success(ticket)
                handles = (
                    result.handles
                    if result.handles is not None
                    else ((pnode.default_port,) if pnode.default_port else ())
                )
                outputs = dict(result.outputs)
                variables = dict(result.variables) if result.variables is not None else None
                if result.park is not None:
                    park = result.park
                    return finish(
                        StepStatus.WAITING,
                        output=outputs,
                        attempts=attempt,
                        park=ParkInfo(park.until, park.resume_token_required, park.reason, "block"),
                    )
                if cache_key is not None and policies.cache is not None:
                    env.kv.set(
                        cache_key,
                        {"outputs": outputs, "handles": list(handles)},
                        policies.cache.ttl_s,
                    )
                return finish(
                    StepStatus.SUCCEEDED,
                    output=outputs,
                    handles=handles,
                    attempts=attempt,
                    variables=variables,
                )
        if ticket is not None and called and policies.breaker is not None:
            # A non-retryable error (bad input, a 4xx) still proves the upstream is up.
            if error.retryable:
                breaker.failure(ticket, failure_threshold=policies.breaker.failure_threshold)
            else:
                breaker.success(ticket)
        if not error.retryable or attempt >= retry.max_attempts:
            return fail(error, attempt)
        delay = backoff_delay(retry, attempt, env.rng)
        if delay > retry.park_after_s:
            until = env.clock.now() + timedelta(seconds=delay)
            return finish(
                StepStatus.WAITING,
                attempts=attempt,
                error=replace(error, node_id=pnode.id, block=block.ref, attempts=attempt),
                park=ParkInfo(until, False, f"retry back-off: {error.message}", "retry"),
            )
        env.clock.sleep(delay)


def _evaluator(context: Mapping[str, Any]) -> Callable[[Any, Mapping[str, Any]], Any]:
    def evaluate(raw: Any, extra: Mapping[str, Any]) -> Any:
        return resolve(raw, {**context, **extra} if extra else context, "config")

    return evaluate
