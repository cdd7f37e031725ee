"""The graph's shape: topological order, cycles, reachability and loop scopes."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence

from apps.workflows.engine.plan import Scope
from apps.workflows.engine.types import Edge


def _toposort(members: Sequence[str], edges: Iterable[Edge]) -> tuple[list[str], set[str]]:
    """Kahn's algorithm in input order; returns (order, nodes left over in or after cycles)."""
    member_set = set(members)
    indegree = dict.fromkeys(members, 0)
    succ: dict[str, list[str]] = {m: [] for m in members}
    for edge in edges:
        if edge.source in member_set and edge.target in member_set:
            succ[edge.source].append(edge.target)
            indegree[edge.target] += 1
    queue = deque(m for m in members if indegree[m] == 0)
    order: list[str] = []
    while queue:
        current = queue.popleft()
        order.append(current)
        for target in succ[current]:
            indegree[target] -= 1
            if indegree[target] == 0:
                queue.append(target)
    return order, member_set - set(order)


def _cycles(left: set[str], edges: Iterable[Edge]) -> list[list[str]]:
    """Strongly connected components that are real cycles (Tarjan, iterative)."""
    succ: dict[str, list[str]] = {n: [] for n in left}
    self_loops: set[str] = set()
    for edge in edges:
        if edge.source in left and edge.target in left:
            succ[edge.source].append(edge.target)
            if edge.source == edge.target:
                self_loops.add(edge.source)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(left):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, child_pos = work.pop()
            if child_pos == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            children = succ[node]
            if child_pos < len(children):
                work.append((node, child_pos + 1))
                child = children[child_pos]
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1 or node in self_loops:
                    found.append(sorted(component))
    return found


def _reach(entries: Iterable[str], outgoing: Mapping[str, list[Edge]]) -> set[str]:
    seen = set(entries)
    queue = deque(seen)
    while queue:
        for edge in outgoing.get(queue.popleft(), ()):
            if edge.target not in seen:
                seen.add(edge.target)
                queue.append(edge.target)
    return seen


def _scope(
    entries: Sequence[str], order: Sequence[str], members: set[str], edges: Sequence[Edge]
) -> Scope:
    incoming: dict[str, list[Edge]] = {m: [] for m in members}
    outgoing: dict[str, list[Edge]] = {m: [] for m in members}
    for edge in edges:
        if edge.source in members and edge.target in members:
            incoming[edge.target].append(edge)
            outgoing[edge.source].append(edge)
    return Scope(
        entries=tuple(entries),
        order=tuple(n for n in order if n in members),
        incoming={k: tuple(v) for k, v in incoming.items()},
        outgoing={k: tuple(v) for k, v in outgoing.items()},
    )


class Upstream:
    """Which nodes have run before a node, so that it can read them as ``nodes.<id>``.

    The runner fills ``nodes`` as steps finish: a node sees its ancestors in its own scope; a
    loop body also sees what ran before its loop (the body starts from a copy of the outer
    context); the error flow also sees the main flow (it runs on the same context after the
    main flow failed). Anything else may not have run yet, or never runs first.
    """

    def __init__(
        self,
        edges: Iterable[Edge],
        parents: Mapping[str, str | None],
        main: set[str],
        error_flow: set[str],
    ) -> None:
        self._sources: dict[str, set[str]] = {}
        self._outgoing: dict[str, list[Edge]] = {}
        for edge in edges:
            self._sources.setdefault(edge.target, set()).add(edge.source)
            self._outgoing.setdefault(edge.source, []).append(edge)
        self._parents = parents
        self._main = main
        self._error_flow = error_flow
        self._below: dict[str, set[str]] = {}

    def has_run_before(self, node_id: str, ref: str) -> bool:
        current: str | None = node_id
        seen: set[str] = set()
        while current is not None and current not in seen:  # parents may cycle (an error)
            if self._is_ancestor(ref, current):
                return True
            if current in self._error_flow and ref in self._main:
                return True
            seen.add(current)
            current = self._parents.get(current)
        return False

    def _is_ancestor(self, ref: str, node_id: str) -> bool:
        """The previous node (the usual reference) is one look-up; any other is a walk down
        from ``ref`` once, then shared by every node that reads it (the trigger node, read
        from a thousand nodes, costs one walk, not a thousand)."""
        if ref in self._sources.get(node_id, ()):
            return True
        below = self._below.get(ref)
        if below is None:
            below = self._below[ref] = _reach([ref], self._outgoing) - {ref}
        return node_id in below
