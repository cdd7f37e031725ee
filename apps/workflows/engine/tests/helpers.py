"""Test helpers: a graph builder, fake blocks and a runner wired to in-memory ports."""

from __future__ import annotations

import importlib
import itertools
import pkgutil
import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from apps.blocks.registry import BlockRegistry
from apps.blocks.sdk import (
    BlockContext,
    BlockError,
    BlockResult,
    BlockSpec,
    Category,
    Park,
    Policies,
    RetryPolicy,
)
from apps.core.resilience.store import InMemoryStore
from apps.workflows.engine.memory import (
    CancelFlags,
    FakeClock,
    InMemoryResume,
    InMemoryStepStore,
    memory_kv,
)
from apps.workflows.engine.runner import Runner
from apps.workflows.engine.types import Outcome, RunRequest

ANY_OBJECT: dict[str, Any] = {"type": "object"}


class GraphBuilder:
    """Build React Flow graphs tersely: ``g.node("a", "transform", mapping={...})``."""

    def __init__(self) -> None:
        self.nodes: list[dict[str, Any]] = []
        self.edges: list[dict[str, Any]] = []

    def node(
        self,
        node_id: str,
        block: str,
        *,
        version: str | None = None,
        parent: str | None = None,
        policies: Mapping[str, Any] | None = None,
        **config: Any,
    ) -> GraphBuilder:
        data: dict[str, Any] = {"config": config}
        if version is not None:
            data["version"] = version
        if policies is not None:
            data["policies"] = dict(policies)
        item: dict[str, Any] = {
            "id": node_id,
            "type": block,
            "position": {"x": 0, "y": 0},
            "data": data,
        }
        if parent is not None:
            item["parentId"] = parent
        self.nodes.append(item)
        return self

    def trigger(self, node_id: str = "start") -> GraphBuilder:
        return self.node(node_id, "manual_trigger")

    def edge(
        self, source: str, target: str, handle: str | None = None, edge_id: str | None = None
    ) -> GraphBuilder:
        item = {
            "id": edge_id or f"{source}->{target}:{handle or ''}",
            "source": source,
            "target": target,
        }
        if handle is not None:
            item["sourceHandle"] = handle
        self.edges.append(item)
        return self

    def chain(self, *ids: str) -> GraphBuilder:
        for source, target in itertools.pairwise(ids):
            self.edge(source, target)
        return self

    def build(self) -> dict[str, Any]:
        return {"nodes": list(self.nodes), "edges": list(self.edges)}


def catalog_registry() -> BlockRegistry:
    """A private registry with every catalog block (the default one stays untouched)."""
    registry = BlockRegistry()
    package = importlib.import_module("apps.blocks.catalog")
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_"):
            continue
        registry.register_module(importlib.import_module(f"apps.blocks.catalog.{info.name}"))
    return registry


@dataclass
class Fakes:
    """Fake blocks whose calls and behaviour tests control."""

    calls: list[tuple[str, Any]] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    events: dict[str, threading.Event] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, node_id: str) -> int:
        return sum(1 for n, _ in self.calls if n == node_id)

    def register(self, registry: BlockRegistry) -> None:
        def spec(key: str, **extra: Any) -> BlockSpec:
            extra.setdefault("config_schema", ANY_OBJECT)
            return BlockSpec(key=key, version=1, title=key, category=Category.DATA, **extra)

        def record(
            ctx: BlockContext, config: Mapping[str, Any], inputs: Mapping[str, Any]
        ) -> BlockResult:
            with self.lock:
                self.calls.append((ctx.node_id, dict(config)))
            return BlockResult(
                outputs={
                    "value": config.get("value"),
                    "inputs": dict(inputs),
                    "key": ctx.idempotency_key,
                }
            )

        def flaky(
            ctx: BlockContext, config: Mapping[str, Any], inputs: Mapping[str, Any]
        ) -> BlockResult:
            with self.lock:
                self.calls.append((ctx.node_id, ctx.attempt))
                seen = self.counters.get(ctx.node_id, 0)
                self.counters[ctx.node_id] = seen + 1
            if seen < config.get("fail_times", 0):
                raise BlockError(
                    f"flaky failure {seen + 1}",
                    retryable=config.get("retryable", True),
                    code=config.get("code", "flaky"),
                )
            return BlockResult(outputs={"attempts": seen + 1})

        def slow(
            ctx: BlockContext, config: Mapping[str, Any], inputs: Mapping[str, Any]
        ) -> BlockResult:
            with self.lock:
                self.calls.append((ctx.node_id, threading.current_thread().name))
            event = self.events.get(config.get("event", ""))
            if event is not None:
                event.wait(config.get("max_wait", 5))
            return BlockResult(outputs={"thread": threading.current_thread().name})

        def bad_output(
            ctx: BlockContext, config: Mapping[str, Any], inputs: Mapping[str, Any]
        ) -> BlockResult:
            return BlockResult(outputs={"when": object()})

        def boom(
            ctx: BlockContext, config: Mapping[str, Any], inputs: Mapping[str, Any]
        ) -> BlockResult:
            with self.lock:
                self.calls.append((ctx.node_id, None))
            raise KeyError("bug in block")

        def sleeper(
            ctx: BlockContext, config: Mapping[str, Any], inputs: Mapping[str, Any]
        ) -> BlockResult:
            with self.lock:
                self.calls.append((ctx.node_id, ctx.wake))
            if ctx.wake is None:
                return BlockResult(park=Park(until=ctx.now() + timedelta(seconds=60)))
            return BlockResult(outputs={"woke": ctx.wake.reason})

        registry.register(spec("record", outputs={"value": "json", "inputs": "object"}), record)
        registry.register(
            spec(
                "flaky",
                policies=Policies(
                    retry=RetryPolicy(max_attempts=3, backoff="fixed", base_s=1.0, jitter=0.0)
                ),
            ),
            flaky,
        )
        registry.register(spec("slow"), slow)
        registry.register(spec("bad_output"), bad_output)
        registry.register(spec("boom"), boom)
        registry.register(spec("sleeper"), sleeper)


@dataclass
class Env:
    registry: BlockRegistry
    fakes: Fakes
    store: InMemoryStepStore
    clock: FakeClock
    kv: InMemoryStore
    resume: InMemoryResume
    cancel: CancelFlags
    runner: Runner

    def run(
        self, graph: Any, payload: Any = None, execution_id: str = "ex-1", **request: Any
    ) -> Outcome:
        return self.runner.run(
            graph, RunRequest(execution_id=execution_id, trigger_payload=payload, **request)
        )

    def new_runner(self, **overrides: Any) -> Runner:
        options: dict[str, Any] = {
            "store": self.store,
            "kv": self.kv,
            "clock": self.clock,
            "resume": self.resume,
            "cancel": self.cancel,
            "rng": random.Random(7),
        }
        options.update(overrides)
        return Runner(self.registry, **options)


def make_env(**runner_options: Any) -> Env:
    registry = catalog_registry()
    fakes = Fakes()
    fakes.register(registry)
    clock = FakeClock()
    env = Env(
        registry=registry,
        fakes=fakes,
        store=InMemoryStepStore(),
        clock=clock,
        kv=memory_kv(clock),
        resume=InMemoryResume(),
        cancel=CancelFlags(),
        runner=None,
    )  # type: ignore[arg-type]
    env.runner = env.new_runner(**runner_options)
    return env
