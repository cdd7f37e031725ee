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
