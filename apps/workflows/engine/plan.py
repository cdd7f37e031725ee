"""What a valid graph becomes: the immutable :class:`Plan` the runner walks, its nodes and
scopes, and the collector of validation issues."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from apps.blocks.registry import RegisteredBlock
from apps.blocks.sdk import Policies
from apps.workflows.engine.expressions import Template
from apps.workflows.engine.types import Edge, Node, Severity, ValidationIssue

ERROR_PORT = "error"


@dataclass(frozen=True, slots=True)
class PlanNode:
    """A node ready to run: its block, compiled config and effective policies."""

    node: Node
    block: RegisteredBlock
    config: Mapping[str, Any]  # with schema defaults applied; deferred fields included raw
    template: Template  # resolves the non-deferred config against a context
    recheck: bool  # an expression could break the schema: validate again once resolved
    policies: Policies
    ports: frozenset[str]  # valid output ports, ``error`` included
    default_port: str | None
    join: str  # "all" or "first"

    @property
    def id(self) -> str:
        return self.node.id


@dataclass(frozen=True, slots=True)
class Scope:
    """A set of nodes walked together: the main flow, the error branch or a loop body.

    Only edges between members count, so a node fed by an unreachable node still runs.
    """

    entries: tuple[str, ...]
    order: tuple[str, ...]  # topological
    incoming: Mapping[str, tuple[Edge, ...]]
    outgoing: Mapping[str, tuple[Edge, ...]]


@dataclass(frozen=True, slots=True)
class Plan:
    nodes: Mapping[str, PlanNode]
    root: Scope
    error_scope: Scope | None
    bodies: Mapping[str, Scope]  # loop node id -> its body
    parents: Mapping[str, str | None]
    order_index: Mapping[str, int]  # global topological rank, for stable ordering
    trigger_id: str
    warnings: tuple[ValidationIssue, ...]

    def descendants(self, node_id: str) -> set[str]:
        """Nodes downstream of ``node_id`` in its scope, plus body nodes of any loop among them."""
        out: set[str] = set()
        queue = deque([node_id])
        scopes = [self.root, *(self.bodies.values())]
        if self.error_scope is not None:
            scopes.append(self.error_scope)
        while queue:
            current = queue.popleft()
            for scope in scopes:
                for edge in scope.outgoing.get(current, ()):
                    if edge.target not in out:
                        out.add(edge.target)
                        queue.append(edge.target)
            body = self.bodies.get(current)
            if body is not None:
                for member in body.order:
                    if member not in out:
                        out.add(member)
                        queue.append(member)
        return out


class _Issues:
    def __init__(self) -> None:
        self.items: list[ValidationIssue] = []

    def add(
        self,
        node_id: str | None,
        field: str | None,
        code: str,
        message: str,
        severity: Severity = "error",
    ) -> None:
        self.items.append(ValidationIssue(node_id, field, code, message, severity))

    @property
    def has_errors(self) -> bool:
        return any(i.severity == "error" for i in self.items)
