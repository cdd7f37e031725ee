"""Parse, validate and plan a React Flow graph.

:func:`validate_graph` reports every problem at once (never stops at the first);
:func:`build_plan` turns a valid graph into an immutable :class:`Plan` the runner walks.
A plan depends only on the graph and the registry, so a host may cache it per published
WorkflowVersion.

The parts: ``plan`` (what a plan is), ``config_check`` (one node: block, config,
expressions, references, policies) and ``topology`` (order, cycles, reachability, scopes);
this module parses and ties them together.

Issue codes: ``invalid_graph``, ``invalid_node``, ``invalid_edge``, ``duplicate_node_id``,
``duplicate_edge_id``, ``duplicate_edge``, ``unknown_block``, ``unknown_version``,
``deprecated_block`` (warning), ``invalid_config``, ``expression_syntax``,
``invalid_policies``, ``invalid_parent``, ``dangling_edge``, ``unknown_handle``,
``ambiguous_handle``, ``cross_scope_edge``, ``entry_has_inputs``, ``cycle``,
``unreachable`` (warning), ``missing_trigger``, ``multiple_triggers``, ``trigger_in_loop``,
``multiple_error_triggers``, ``empty_loop_body`` (warning), ``unknown_reference`` (warning:
an expression reads ``nodes.<id>`` of a node the graph does not have), ``not_upstream``
(warning: it reads a node that does not run before it; see ``topology.Upstream``),
``note_edge`` (an edge touches a sticky note, see ``notes``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from apps.blocks.registry import BlockRegistry
from apps.blocks.sdk import Category
from apps.workflows.engine.config_check import _check_node, _check_references
from apps.workflows.engine.errors import GraphInvalid
from apps.workflows.engine.notes import drop_notes
from apps.workflows.engine.plan import Plan, PlanNode, Scope, _Issues
from apps.workflows.engine.topology import Upstream, _cycles, _reach, _scope, _toposort
from apps.workflows.engine.types import Edge, Node, ValidationIssue

__all__ = ["Plan", "PlanNode", "Scope", "build_plan", "parse_graph", "validate_graph"]


def parse_graph(raw: Any, issues: _Issues | None = None) -> tuple[list[Node], list[Edge]]:
    """Read nodes and edges, dropping (and reporting) malformed ones."""
    report = issues if issues is not None else _Issues()
    nodes: list[Node] = []
    edges: list[Edge] = []
    if not isinstance(raw, Mapping):
        report.add(None, None, "invalid_graph", "graph must be an object with nodes and edges")
        return nodes, edges
    raw_nodes = raw.get("nodes", [])
    raw_edges = raw.get("edges", [])
    if not isinstance(raw_nodes, list) or not isinstance(raw_edges, list):
        report.add(None, None, "invalid_graph", "nodes and edges must be lists")
        return nodes, edges
    for index, item in enumerate(raw_nodes):
        node = _parse_node(item, index, report)
        if node is not None:
            nodes.append(node)
    for index, item in enumerate(raw_edges):
        if not isinstance(item, Mapping) or not all(
            isinstance(item.get(k), str) and item.get(k) for k in ("source", "target")
        ):
            report.add(
                None,
                f"edges[{index}]",
                "invalid_edge",
                f"edge #{index} needs string source and target",
            )
            continue
        handle = item.get("sourceHandle")
        edge_id = item.get("id")
        edges.append(
            Edge(
                id=edge_id if isinstance(edge_id, str) and edge_id else f"edge-{index}",
                source=item["source"],
                target=item["target"],
                handle=handle if isinstance(handle, str) and handle else None,
            )
        )
    return nodes, edges


def _parse_node(item: Any, index: int, report: _Issues) -> Node | None:
    if not isinstance(item, Mapping) or not isinstance(item.get("id"), str) or not item["id"]:
        report.add(None, f"nodes[{index}]", "invalid_node", f"node #{index} needs a string id")
        return None
    node_id = item["id"]
    if not isinstance(item.get("type"), str) or not item["type"]:
        report.add(node_id, "type", "invalid_node", f"node {node_id!r} needs a block type")
        return None
    data = item.get("data") or {}
    if not isinstance(data, Mapping):
        report.add(node_id, "data", "invalid_node", "data must be an object")
        return None
    config = data.get("config", {})
    if config is None:
        config = {}
    if not isinstance(config, Mapping):
        report.add(node_id, "config", "invalid_config", "config must be an object")
        config = {}
    version = data.get("version")
    policies = data.get("policies")
    parent = item.get("parentId")
    return Node(
        id=node_id,
        type=item["type"],
        version=None if version in (None, "") else str(version),
        config=config,
        policies=policies if policies is not None else None,
        parent_id=parent if isinstance(parent, str) and parent else None,
    )


def _analyse(
    raw: Any, registry: BlockRegistry, build: bool
) -> tuple[Plan | None, list[ValidationIssue]]:
    issues = _Issues()
    nodes, raw_edges = parse_graph(raw, issues)
    if any(i.code == "invalid_graph" for i in issues.items):
        return None, issues.items

    by_id: dict[str, Node] = {}
    for node in nodes:
        if node.id in by_id:
            issues.add(node.id, "id", "duplicate_node_id", f"node id {node.id!r} is used twice")
        else:
            by_id[node.id] = node
    by_id, raw_edges = drop_notes(by_id, raw_edges, issues)

    planned: dict[str, PlanNode] = {}
    for node in by_id.values():
        block = registry.find(node.type, node.version)
        if block is None:
            if node.type not in registry:
                issues.add(node.id, "type", "unknown_block", f"unknown block type {node.type!r}")
            else:
                issues.add(
                    node.id,
                    "data.version",
                    "unknown_version",
                    f"block {node.type!r} has no version {node.version!r} "
                    f"(known: {registry.versions(node.type)})",
                )
            continue
        planned[node.id] = _check_node(node, block, issues, build)

    for node in by_id.values():
        if node.parent_id is None:
            continue
        parent = planned.get(node.parent_id)
        if node.parent_id not in by_id or (parent is not None and not parent.block.spec.has_body):
            issues.add(
                node.id,
                "parentId",
                "invalid_parent",
                f"parentId {node.parent_id!r} is not a loop node of this graph",
            )

    edges = _check_edges(raw_edges, by_id, planned, issues)
    parents = {n.id: n.parent_id for n in by_id.values()}

    # Entries: exactly one trigger-category node in the main flow; at most one error entry.
    triggers = [n for n in planned.values() if Category(n.block.spec.category) is Category.TRIGGER]
    error_entries = [n for n in planned.values() if n.block.spec.error_entry]
    for plan_node in (*triggers, *error_entries):
        if parents[plan_node.id] is not None:
            issues.add(
                plan_node.id,
                "parentId",
                "trigger_in_loop",
                "a trigger cannot be inside a loop body",
            )
    top_triggers = [n for n in triggers if parents[n.id] is None]
    if not top_triggers:
        issues.add(
            None,
            None,
            "missing_trigger",
            "the workflow needs exactly one trigger node as its entry",
        )
    for extra in top_triggers[1:]:
        issues.add(
            extra.id,
            "type",
            "multiple_triggers",
            f"only one trigger is allowed; {top_triggers[0].id!r} is already the entry",
        )
    for extra in error_entries[1:]:
        issues.add(
            extra.id,
            "type",
            "multiple_error_triggers",
            f"only one error trigger is allowed; {error_entries[0].id!r} is already one",
        )
    for edge in edges:
        target = planned.get(edge.target)
        if target is not None and (target in triggers or target.block.spec.error_entry):
            issues.add(
                edge.target,
                f"edges.{edge.id}",
                "entry_has_inputs",
                f"edge {edge.id!r} points into entry node {edge.target!r}",
            )

    # Order and cycles, one scope (top level or a loop body) at a time.
    scopes: dict[str | None, list[str]] = {}
    for node in by_id.values():
        scopes.setdefault(node.parent_id, []).append(node.id)
    order: list[str] = []
    outgoing_all: dict[str, list[Edge]] = {}
    for edge in edges:
        outgoing_all.setdefault(edge.source, []).append(edge)
    for parent_id, members in scopes.items():
        scope_order, left = _toposort(members, edges)
        order.extend(scope_order)
        for cycle in _cycles(left, edges):
            issues.add(
                cycle[0],
                None,
                "cycle",
                f"cycle through {' -> '.join(cycle[:10])}"
                f"{' ...' if len(cycle) > 10 else ''}"
                f"{'' if parent_id is None else f' (in loop {parent_id!r})'}",
            )
    for loop_id, plan_node in planned.items():
        if plan_node.block.spec.has_body and loop_id not in scopes:
            issues.add(
                loop_id, None, "empty_loop_body", f"loop {loop_id!r} has no body nodes", "warning"
            )

    top = scopes.get(None, [])
    root_members: set[str] = set()
    error_members: set[str] = set()
    if top_triggers:
        root_members = _reach([top_triggers[0].id], outgoing_all)
        if error_entries:
            error_members = _reach([error_entries[0].id], outgoing_all)
        for node_id in top:
            if node_id not in root_members and node_id not in error_members:
                issues.add(
                    node_id,
                    None,
                    "unreachable",
                    f"node {node_id!r} cannot be reached from the trigger",
                    "warning",
                )
    upstream = Upstream(edges, parents, root_members, error_members)
    for node_id in planned:
        _check_references(by_id[node_id], by_id, upstream, issues)

    if issues.has_errors or not build:
        return None, issues.items

    rank = {node_id: i for i, node_id in enumerate(order)}
    bodies = {}
    for parent_id, members in scopes.items():
        if parent_id is None:
            continue
        member_set = set(members)
        has_inner = {e.target for e in edges if e.source in member_set and e.target in member_set}
        entries = [m for m in members if m not in has_inner]
        bodies[parent_id] = _scope(entries, order, member_set, edges)
    root = _scope([top_triggers[0].id], order, root_members, edges)
    error_scope = (
        _scope([error_entries[0].id], order, error_members, edges) if error_entries else None
    )
    plan = Plan(
        nodes=planned,
        root=root,
        error_scope=error_scope,
        bodies=bodies,
        parents=parents,
        order_index=rank,
        trigger_id=top_triggers[0].id,
        warnings=tuple(issues.items),
    )
    return plan, issues.items


def _check_edges(
    raw_edges: Sequence[Edge],
    by_id: Mapping[str, Node],
    planned: Mapping[str, PlanNode],
    issues: _Issues,
) -> list[Edge]:
    """Report edge problems; return the usable edges with handles normalised."""
    edges: list[Edge] = []
    seen_ids: set[str] = set()
    seen: set[tuple[str, str, str | None]] = set()
    for edge in raw_edges:
        field = f"edges.{edge.id}"
        if edge.id in seen_ids:
            issues.add(
                edge.source if edge.source in by_id else None,
                field,
                "duplicate_edge_id",
                f"edge id {edge.id!r} is used twice",
            )
            continue
        seen_ids.add(edge.id)
        missing = [end for end in (edge.source, edge.target) if end not in by_id]
        if missing:
            known = (
                edge.source
                if edge.source in by_id
                else (edge.target if edge.target in by_id else None)
            )
            names = ", ".join(map(repr, missing))
            issues.add(
                known, field, "dangling_edge", f"edge {edge.id!r} points to missing node(s) {names}"
            )
            continue
        source = planned.get(edge.source)
        handle = edge.handle
        if source is not None:
            if handle is None:
                handle = source.default_port
                if handle is None:
                    issues.add(
                        edge.source,
                        field,
                        "ambiguous_handle",
                        f"edge {edge.id!r} must name an output port of {edge.source!r} "
                        f"({', '.join(sorted(source.ports))})",
                    )
                    continue
            elif handle not in source.ports:
                issues.add(
                    edge.source,
                    field,
                    "unknown_handle",
                    f"edge {edge.id!r}: {edge.source!r} has no output port {handle!r} "
                    f"({', '.join(sorted(source.ports))})",
                )
                continue
        identity = (edge.source, edge.target, handle)
        if identity in seen:
            issues.add(
                edge.source,
                field,
                "duplicate_edge",
                f"edge {edge.id!r} duplicates another {edge.source!r} -> {edge.target!r}"
                f" edge on port {handle!r}",
            )
            continue
        seen.add(identity)
        if by_id[edge.source].parent_id != by_id[edge.target].parent_id:
            issues.add(
                edge.source,
                field,
                "cross_scope_edge",
                f"edge {edge.id!r} crosses a loop boundary; reference outer data with "
                f"expressions instead",
            )
            continue
        edges.append(Edge(id=edge.id, source=edge.source, target=edge.target, handle=handle))
    return edges


def validate_graph(raw: Any, registry: BlockRegistry) -> list[ValidationIssue]:
    """Every problem of the graph (errors and warnings), in a stable order."""
    return _analyse(raw, registry, build=False)[1]


def build_plan(raw: Any, registry: BlockRegistry) -> Plan:
    """A runnable plan; raises :class:`GraphInvalid` with every error when there are any."""
    plan, issues = _analyse(raw, registry, build=True)
    if plan is None:
        raise GraphInvalid(issues)
    return plan
