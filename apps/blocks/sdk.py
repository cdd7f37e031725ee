"""The block SDK: everything a block module may import.

A block is data (a frozen :class:`BlockSpec`: key, version, JSON Schema for its config,
ports, default policies) plus one function ``execute(ctx, config, inputs) -> BlockResult``.
Block modules import only this module: no ORM, no engine internals. The host (the engine)
hands the outside world to a block through :class:`BlockContext` as opaque ports.

``@register(SPEC)`` only *marks* the function; a :class:`~apps.blocks.registry.BlockRegistry`
collects marked functions when it scans a module (``autodiscover`` does that for the
catalog and for third-party entry points). Marking instead of registering at import time
keeps imports free of global side effects and lets tests build private registries.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal, Protocol, TypeVar

from apps.blocks.ui import UiHint

__all__ = [
    "BlockContext",
    "BlockError",
    "BlockResult",
    "BlockSpec",
    "BodyItemResult",
    "BodyRunner",
    "BreakerPolicy",
    "CachePolicy",
    "Category",
    "ExecuteFn",
    "Park",
    "Policies",
    "RateLimitPolicy",
    "RetryPolicy",
    "SubWorkflowResult",
    "SubWorkflowRunner",
    "UiHint",
    "Wake",
    "parse_datetime",
    "register",
    "truthy",
]


class Category(StrEnum):
    """Palette categories; the canvas groups blocks by these."""

    TRIGGER = "trigger"
    LOGIC = "logic"
    DATA = "data"
    AI_AGENT = "ai_agent"
    LLM = "llm"
    EMBEDDING = "embedding"
    VECTOR_STORE = "vector_store"
    HTTP = "http"
    OAUTH = "oauth"
    WEBHOOK = "webhook"
    GOOGLE = "google"
    SLACK = "slack"
    GITHUB = "github"
    MICROSOFT = "microsoft"
    TRANSFORM = "transform"
    FILTER = "filter"
    AGGREGATE = "aggregate"
    LOOP = "loop"
    PARALLEL = "parallel"
    CONDITION = "condition"
    DELAY = "delay"


# --- policies -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how far apart a failing step is tried again.

    ``max_attempts`` counts the first try, so 1 means "no retry". A back-off longer than
    ``park_after_s`` parks the execution with a wake-up time instead of holding a worker.
    """

    max_attempts: int = 1
    backoff: Literal["fixed", "linear", "exponential"] = "exponential"
    base_s: float = 1.0
    max_s: float = 300.0
    jitter: float = 0.2  # fraction of the delay, spread both ways
    park_after_s: float = 5.0


@dataclass(frozen=True, slots=True)
class BreakerPolicy:
    """Open after ``failure_threshold`` consecutive failures; try again after ``reset_after_s``."""

    failure_threshold: int = 5
    reset_after_s: float = 30.0


@dataclass(frozen=True, slots=True)
class RateLimitPolicy:
    """At most ``limit`` calls per ``per_s`` seconds, per block and workspace (sliding window)."""

    limit: int
    per_s: float


@dataclass(frozen=True, slots=True)
class CachePolicy:
    """Reuse a successful result for ``ttl_s`` seconds.

    ``key`` is a JMESPath expression over ``{"config": ..., "inputs": ...}``; when absent
    the whole resolved config is the key.
    """

    ttl_s: float
    key: str | None = None


@dataclass(frozen=True, slots=True)
class Policies:
    """Per-block defaults; a node overrides any of them through ``data.policies``."""

    timeout_s: float | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    breaker: BreakerPolicy | None = None
    rate_limit: RateLimitPolicy | None = None
    cache: CachePolicy | None = None


# --- results and errors ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Park:
    """Ask the engine to park the execution instead of holding a worker.

    ``until``: wake-up time (None = no timer). ``resume_token_required``: the step waits
    for a resume call from outside (webhook, approval, child workflow). With both set,
    the timer is a timeout.
    """

    until: datetime | None = None
    resume_token_required: bool = False
    reason: str = ""


@dataclass(frozen=True, slots=True)
class BlockResult:
    """What ``execute`` returns.

    ``outputs`` becomes the node's output (``nodes.<id>.output``); it must be JSON data.
    ``handles`` names the active output ports (None = the block's default port).
    ``park`` parks the step; the block is called again (with ``ctx.wake``) when it wakes.
    ``variables`` updates the execution's ``vars``.
    """

    outputs: Mapping[str, Any] = field(default_factory=dict)
    handles: tuple[str, ...] | None = None
    park: Park | None = None
    variables: Mapping[str, Any] | None = None


class BlockError(Exception):
    """A failure the block understands. ``retryable`` decides whether the retry policy applies."""

    def __init__(self, message: str, *, retryable: bool = False, code: str = "block_error") -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.code = code


@dataclass(frozen=True, slots=True)
class Wake:
    """Why a parked step is being called again.

    ``reason`` is ``"time"`` when its timer expired and ``"resume"`` when the host supplied
    a resume payload (``payload``).
    """

    reason: Literal["time", "resume"]
    payload: Any = None
    until: datetime | None = None


# --- ports a block may use ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BodyItemResult:
    """The result of running a loop body once."""

    index: int
    status: Literal["succeeded", "failed", "waiting"]
    output: Any = None
    error: Mapping[str, Any] | None = None
    wake_at: datetime | None = None
    awaiting_resume: bool = False


class BodyRunner(Protocol):
    """Given to blocks with ``has_body=True`` (loop): runs the body sub-graph for one item."""

    def run(self, item: Any, index: int) -> BodyItemResult: ...


@dataclass(frozen=True, slots=True)
class SubWorkflowResult:
    """What the host answers when asked to run a child workflow."""

    status: Literal["succeeded", "failed", "waiting"]
    output: Any = None
    error: str | None = None
    execution_id: str | None = None


class SubWorkflowRunner(Protocol):
    """Host port: run (or look up) a child execution.

    Must be idempotent on ``idempotency_key``: a redelivered parent asks again and must
    get the same child. ``waiting`` means the child parked; the host later resumes the
    parent's step with the child's ``SubWorkflowResult`` as a dict payload.
    """

    def run(
        self, *, workflow_id: str, version: int | None, payload: Any, idempotency_key: str
    ) -> SubWorkflowResult: ...


@dataclass(frozen=True)
class BlockContext:
    """Everything a block may know or touch while it runs.

    ``secrets``, ``http`` and ``services`` are opaque handles the host provides; the engine
    never looks inside. ``deadline`` is an epoch timestamp (None = no timeout) that blocks
    should pass on to their I/O. ``evaluate`` resolves a raw (deferred) config value with
    extra names in scope, e.g. ``ctx.evaluate(raw["condition"], {"item": x, "index": i})``.
    """

    execution_id: str
    node_id: str
    idempotency_key: str
    workspace_id: str | None
    logger: logging.Logger | logging.LoggerAdapter[logging.Logger]
    now: Callable[[], datetime]
    evaluate: Callable[[Any, Mapping[str, Any]], Any]
    raw_config: Mapping[str, Any] = field(default_factory=dict)
    secrets: Any = None
    http: Any = None
    services: Mapping[str, Any] = field(default_factory=dict)
    deadline: float | None = None
    attempt: int = 1
    item_index: int | None = None
    wake: Wake | None = None
    body: BodyRunner | None = None


# --- the manifest -----------------------------------------------------------------------

ExecuteFn = Callable[
    [BlockContext, Mapping[str, Any], Mapping[str, Any]], "BlockResult | Mapping[str, Any]"
]


@dataclass(frozen=True)
class BlockSpec:
    """A block type's manifest. Saved graphs store ``key`` + ``version``.

    Fields the engine acts on, beyond the obvious ones:

    - ``output_ports``: named ports edges may leave from (``error`` is implicit on every
      block); ``dynamic_ports(config)`` adds ports that depend on config (switch cases).
    - ``outputs``: declared output fields (name -> JSON type; ``"*"`` = dynamic keys).
    - ``join(config)``: ``"all"`` (default: wait for every non-skipped input) or
      ``"first"`` (run on the first input to arrive; merge).
    - ``deferred_fields``: top-level config keys left unresolved for the block to evaluate
      per item with ``ctx.evaluate`` (filter conditions, aggregate fields).
    - ``has_body``: nodes whose ``parentId`` is this node form a body sub-graph run via
      ``ctx.body`` (loop).
    - ``error_entry``: the entry of the workflow-level error branch (error_trigger).
    - ``workflow_output``: this node's output becomes the workflow's output (set_output).
    - ``migrate_config(old)``: upgrades a config from version ``version - 1``.
    - ``side_effects``: False for blocks that only compute from their inputs. Their steps
      are checkpointed once, when finished; others are also recorded as ``running`` before
      the call, so a step found running after a redelivery is known to have been cut off.
    - ``ui``: form hints per top-level config field (:class:`UiHint`), checked at registration.
    """

    key: str
    version: int
    title: str
    category: Category | str
    config_schema: Mapping[str, Any]
    icon: str = ""
    description: str = ""
    input_ports: tuple[str, ...] = ("main",)
    output_ports: tuple[str, ...] = ("main",)
    outputs: Mapping[str, str] = field(default_factory=lambda: {"*": "object"})
    policies: Policies = field(default_factory=Policies)
    deprecated: bool = False
    deprecated_since: date | None = None
    migrate_config: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None
    health_check: Callable[[], bool] | None = None
    dynamic_ports: Callable[[Mapping[str, Any]], tuple[str, ...]] | None = None
    join: Callable[[Mapping[str, Any]], str] | None = None
    deferred_fields: frozenset[str] = frozenset()
    has_body: bool = False
    error_entry: bool = False
    workflow_output: bool = False
    side_effects: bool = True
    ui: Mapping[str, UiHint] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        return f"{self.key}@{self.version}"

    def ports_for(self, config: Mapping[str, Any]) -> tuple[str, ...]:
        """Output ports of a node with this config (without the implicit ``error``)."""
        if self.dynamic_ports is None:
            return self.output_ports
        return self.output_ports + tuple(
            p for p in self.dynamic_ports(config) if p not in self.output_ports
        )


SPEC_ATTR = "__block_spec__"
F = TypeVar("F", bound=Callable[..., Any])


def register(spec: BlockSpec) -> Callable[[F], F]:
    """Mark ``execute`` as the implementation of ``spec``; a registry picks it up on scan."""

    def mark(fn: F) -> F:
        specs: list[BlockSpec] = list(getattr(fn, SPEC_ATTR, ()))
        specs.append(spec)
        setattr(fn, SPEC_ATTR, tuple(specs))
        return fn

    return mark


def truthy(value: Any) -> bool:
    """JMESPath truthiness (as the browser preview sees it): false, null, "" [] {} are false;
    every number, 0 included, is true."""
    if value is None or value is False:
        return False
    if isinstance(value, str | list | dict | tuple):
        return len(value) > 0
    return True


def parse_datetime(value: Any, field_name: str = "until") -> datetime:
    """An aware datetime from ISO 8601; a naive one is refused rather than guessed as UTC."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise BlockError(
            f"{field_name} {value!r} is not an ISO 8601 date-time", code="invalid_config"
        ) from None
    if moment.tzinfo is None:
        raise BlockError(
            f"{field_name} {value!r} needs a time zone (e.g. +00:00)", code="invalid_config"
        )
    return moment
