"""Parse, validate and plan a React Flow graph.

:func:`validate_graph` reports every problem at once (never stops at the first);
:func:`build_plan` turns a valid graph into an immutable :class:`Plan` the runner walks.
A plan depends only on the graph and the registry, so a host may cache it per published
WorkflowVersion.

Issue codes: ``invalid_graph``, ``invalid_node``, ``invalid_edge``, ``duplicate_node_id``,
``duplicate_edge_id``, ``duplicate_edge``, ``unknown_block``, ``unknown_version``,
``deprecated_block`` (warning), ``invalid_config``, ``expression_syntax``,
``invalid_policies``, ``invalid_parent``, ``dangling_edge``, ``unknown_handle``,
``ambiguous_handle``, ``cross_scope_edge``, ``entry_has_inputs``, ``cycle``,
``unreachable`` (warning), ``missing_trigger``, ``multiple_triggers``, ``trigger_in_loop``,
``multiple_error_triggers``, ``empty_loop_body`` (warning), ``unknown_reference`` (warning:
an expression reads ``nodes.<id>`` of a node the graph does not have).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jsonschema.exceptions import ValidationError

from apps.blocks.registry import BlockRegistry, RegisteredBlock, defaults_applied
from apps.blocks.sdk import BlockSpec, Category, Policies
from apps.workflows.engine.errors import ExpressionSyntaxError, GraphInvalid
from apps.workflows.engine.expressions import (
    Template,
    check_syntax,
    compile_value,
    iter_templates,
    referenced_nodes,
    single_expression,
)
from apps.workflows.engine.fastcheck import Check, compile_fast
from apps.workflows.engine.policies import merge_policies, policies_errors
from apps.workflows.engine.types import Edge, Node, Severity, ValidationIssue

__all__ = ["Plan", "PlanNode", "Scope", "build_plan", "parse_graph", "validate_graph"]

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

    def add(self, node_id: str | None, field: str | None, code: str, message: str,
            severity: Severity = "error") -> None:
        self.items.append(ValidationIssue(node_id, field, code, message, severity))

    @property
    def has_errors(self) -> bool:
        return any(i.severity == "error" for i in self.items)


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
            report.add(None, f"edges[{index}]", "invalid_edge",
                       f"edge #{index} needs string source and target")
            continue
        handle = item.get("sourceHandle")
        edge_id = item.get("id")
        edges.append(Edge(
            id=edge_id if isinstance(edge_id, str) and edge_id else f"edge-{index}",
            source=item["source"], target=item["target"],
            handle=handle if isinstance(handle, str) and handle else None))
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
        id=node_id, type=item["type"],
        version=None if version in (None, "") else str(version),
        config=config, policies=policies if policies is not None else None,
        parent_id=parent if isinstance(parent, str) and parent else None)


def _field_path(error: ValidationError) -> str:
    path = "config"
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _exempt(error: ValidationError) -> bool:
    """True when the error only says an expression string is not (yet) the right type.

    ``"{{ trigger.count }}"`` in an integer field is fine: its type is known at run time,
    when the resolved config is validated again.
    """
    instance = error.instance
    if isinstance(instance, str) and "{{" in instance:
        try:
            return single_expression(instance) is not None
        except ExpressionSyntaxError:
            return True  # reported as expression_syntax instead
    if error.context:
        branches: dict[Any, list[ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        return any(all(_exempt(sub) for sub in subs) for subs in branches.values())
    return False


# Keywords that only annotate; a subschema made of these accepts any value.
_ANNOTATIONS = frozenset({"description", "title", "default", "examples", "$comment", "readOnly",
                          "writeOnly", "deprecated"})
# Keywords whose effect on a value deep inside is hard to predict: be conservative.
_OPAQUE = frozenset({"anyOf", "oneOf", "allOf", "not", "if", "then", "else", "$ref",
                     "$dynamicRef", "dependentSchemas", "unevaluatedProperties",
                     "unevaluatedItems", "patternProperties", "prefixItems", "contains",
                     "uniqueItems"})


def _has_expression(value: Any) -> bool:
    if isinstance(value, str):
        return "{{" in value
    if isinstance(value, dict):
        return any(_has_expression(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_expression(v) for v in value)
    return False


def _needs_recheck(schema: Any, value: Any) -> bool:
    """Could resolving this value's expressions make it break ``schema``?

    Re-validating every resolved config costs more than the rest of a step, so the plan
    works out once which nodes need it: only those with an expression where the schema
    constrains the result (a type-keeping ``{{ x }}`` under ``"type": "array"``, an
    interpolated string under ``"maxLength"``...). Interpolation always yields a string.
    """
    if schema is True or schema is None:
        return False
    if not isinstance(schema, dict):
        return _has_expression(value)
    if isinstance(value, str):
        if "{{" not in value:
            return False
        try:
            single = single_expression(value) is not None
        except ExpressionSyntaxError:
            return True
        constraints = schema.keys() - _ANNOTATIONS
        if single:
            return bool(constraints)
        return bool(constraints - {"type"}) or schema.get("type", "string") != "string"
    if schema.keys() & _OPAQUE:
        return _has_expression(value)
    if isinstance(value, dict):
        props = schema.get("properties") or {}
        extra = schema.get("additionalProperties", True)
        return any(_needs_recheck(props.get(k, extra), v) for k, v in value.items())
    if isinstance(value, list):
        return any(_needs_recheck(schema.get("items", True), v) for v in value)
    return False


def _no_template(context: Mapping[str, Any]) -> Any:
    raise AssertionError("validation-only plan nodes are never run")


def _config_template(spec: BlockSpec, config: Mapping[str, Any],
                     syntax: list[ExpressionSyntaxError]) -> tuple[Template, bool]:
    """Compile the config; deferred fields stay raw (the block evaluates them per item)."""
    if not spec.deferred_fields:
        whole, dynamic = compile_value(config, "config", syntax)
        return whole, dynamic and _needs_recheck(spec.config_schema, config)
    resolvable = {k: v for k, v in config.items() if k not in spec.deferred_fields}
    deferred = {k: config[k] for k in spec.deferred_fields & config.keys()}
    check_syntax(deferred, "config", syntax)
    partial, dynamic = compile_value(resolvable, "config", syntax)
    if not dynamic:
        return (lambda _context: config), False

    def template(context: Mapping[str, Any]) -> Any:
        return {**partial(context), **deferred}

    return template, _needs_recheck(spec.config_schema, resolvable)


_FAST: dict[int, tuple[RegisteredBlock, Check]] = {}


def fast_check(block: RegisteredBlock) -> Check:
    """The block's "certainly valid" pre-check, compiled once per registered block."""
    entry = _FAST.get(id(block))
    if entry is None or entry[0] is not block:
        entry = (block, compile_fast(block.spec.config_schema))
        _FAST[id(block)] = entry
    return entry[1]


def _check_references(node: Node, config: Mapping[str, Any], known: Mapping[str, Node],
                      issues: _Issues) -> None:
    """Warn about ``nodes.<id>`` references to nodes the graph does not have (typos)."""
    for field, text in iter_templates(config, "config"):
        # Membership tests, not set difference: ``frozenset - dict.keys()`` copies the keys.
        for ref in sorted(r for r in referenced_nodes(text) if r not in known):
            issues.add(node.id, field, "unknown_reference",
                       f"{field}: expression refers to unknown node {ref!r}", "warning")


def _check_node(node: Node, block: RegisteredBlock, issues: _Issues, build: bool) -> PlanNode:
    spec = block.spec
    config = defaults_applied(spec.config_schema, node.config)
    errors = () if fast_check(block)(config) else block.validator.iter_errors(config)
    for error in errors:
        if _exempt(error):
            continue
        path = _field_path(error)
        issues.add(node.id, path, "invalid_config", f"{path}: {error.message}")
    syntax: list[ExpressionSyntaxError] = []
    template: Template = _no_template
    recheck = False
    if build:
        template, recheck = _config_template(spec, config, syntax)
    else:
        check_syntax(config, "config", syntax)
    for exc in syntax:
        issues.add(node.id, exc.field, "expression_syntax", str(exc))
    policies = spec.policies
    if node.policies is not None:
        problems = policies_errors(node.policies)
        for field, message in problems:
            issues.add(node.id, field, "invalid_policies", f"{field}: {message}")
        if not problems:
            policies = merge_policies(spec.policies, node.policies)
    if spec.deprecated:
        since = f" since {spec.deprecated_since.isoformat()}" if spec.deprecated_since else ""
        issues.add(node.id, "type", "deprecated_block",
                   f"block {spec.ref} is deprecated{since}", "warning")
    ports = spec.ports_for(config)
    default_port = "main" if "main" in ports else (ports[0] if len(ports) == 1 else None)
    join = spec.join(config) if spec.join is not None else "all"
    return PlanNode(node=node, block=block, config=config, template=template, recheck=recheck,
                    policies=policies, ports=frozenset((*ports, ERROR_PORT)),
                    default_port=default_port, join=join if join in ("all", "first") else "all")


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


def _scope(entries: Sequence[str], order: Sequence[str], members: set[str],
           edges: Sequence[Edge]) -> Scope:
    incoming: dict[str, list[Edge]] = {m: [] for m in members}
    outgoing: dict[str, list[Edge]] = {m: [] for m in members}
    for edge in edges:
        if edge.source in members and edge.target in members:
            incoming[edge.target].append(edge)
            outgoing[edge.source].append(edge)
    return Scope(entries=tuple(entries), order=tuple(n for n in order if n in members),
                 incoming={k: tuple(v) for k, v in incoming.items()},
                 outgoing={k: tuple(v) for k, v in outgoing.items()})


def _analyse(raw: Any, registry: BlockRegistry,
             build: bool) -> tuple[Plan | None, list[ValidationIssue]]:
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

    planned: dict[str, PlanNode] = {}
    for node in by_id.values():
        block = registry.find(node.type, node.version)
        if block is None:
            if node.type not in registry:
                issues.add(node.id, "type", "unknown_block", f"unknown block type {node.type!r}")
            else:
                issues.add(node.id, "data.version", "unknown_version",
                           f"block {node.type!r} has no version {node.version!r} "
                           f"(known: {registry.versions(node.type)})")
            continue
        planned[node.id] = _check_node(node, block, issues, build)
        _check_references(node, node.config, by_id, issues)

    for node in by_id.values():
        if node.parent_id is None:
            continue
        parent = planned.get(node.parent_id)
        if node.parent_id not in by_id or (parent is not None and not parent.block.spec.has_body):
            issues.add(node.id, "parentId", "invalid_parent",
                       f"parentId {node.parent_id!r} is not a loop node of this graph")

    edges = _check_edges(raw_edges, by_id, planned, issues)
    parents = {n.id: n.parent_id for n in by_id.values()}

    # Entries: exactly one trigger-category node in the main flow; at most one error entry.
    triggers = [n for n in planned.values()
                if Category(n.block.spec.category) is Category.TRIGGER]
    error_entries = [n for n in planned.values() if n.block.spec.error_entry]
    for plan_node in (*triggers, *error_entries):
        if parents[plan_node.id] is not None:
            issues.add(plan_node.id, "parentId", "trigger_in_loop",
                       "a trigger cannot be inside a loop body")
    top_triggers = [n for n in triggers if parents[n.id] is None]
    if not top_triggers:
        issues.add(None, None, "missing_trigger",
                   "the workflow needs exactly one trigger node as its entry")
    for extra in top_triggers[1:]:
        issues.add(extra.id, "type", "multiple_triggers",
                   f"only one trigger is allowed; {top_triggers[0].id!r} is already the entry")
    for extra in error_entries[1:]:
        issues.add(extra.id, "type", "multiple_error_triggers",
                   f"only one error trigger is allowed; {error_entries[0].id!r} is already one")
    for edge in edges:
        target = planned.get(edge.target)
        if target is not None and (target in triggers or target.block.spec.error_entry):
            issues.add(edge.target, f"edges.{edge.id}", "entry_has_inputs",
                       f"edge {edge.id!r} points into entry node {edge.target!r}")

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
            issues.add(cycle[0], None, "cycle",
                       f"cycle through {' -> '.join(cycle[:10])}"
                       f"{' ...' if len(cycle) > 10 else ''}"
                       f"{'' if parent_id is None else f' (in loop {parent_id!r})'}")
    for loop_id, plan_node in planned.items():
        if plan_node.block.spec.has_body and loop_id not in scopes:
            issues.add(loop_id, None, "empty_loop_body", f"loop {loop_id!r} has no body nodes",
                       "warning")

    top = scopes.get(None, [])
    root_members: set[str] = set()
    error_members: set[str] = set()
    if top_triggers:
        root_members = _reach([top_triggers[0].id], outgoing_all)
        if error_entries:
            error_members = _reach([error_entries[0].id], outgoing_all)
        for node_id in top:
            if node_id not in root_members and node_id not in error_members:
                issues.add(node_id, None, "unreachable",
                           f"node {node_id!r} cannot be reached from the trigger", "warning")

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
    error_scope = (_scope([error_entries[0].id], order, error_members, edges)
                   if error_entries else None)
    plan = Plan(nodes=planned, root=root, error_scope=error_scope, bodies=bodies,
                parents=parents, order_index=rank, trigger_id=top_triggers[0].id,
                warnings=tuple(issues.items))
    return plan, issues.items


def _check_edges(raw_edges: Sequence[Edge], by_id: Mapping[str, Node],
                 planned: Mapping[str, PlanNode], issues: _Issues) -> list[Edge]:
    """Report edge problems; return the usable edges with handles normalised."""
    edges: list[Edge] = []
    seen_ids: set[str] = set()
    seen: set[tuple[str, str, str | None]] = set()
    for edge in raw_edges:
        field = f"edges.{edge.id}"
        if edge.id in seen_ids:
            issues.add(edge.source if edge.source in by_id else None, field,
                       "duplicate_edge_id", f"edge id {edge.id!r} is used twice")
            continue
        seen_ids.add(edge.id)
        missing = [end for end in (edge.source, edge.target) if end not in by_id]
        if missing:
            known = edge.source if edge.source in by_id else (
                edge.target if edge.target in by_id else None)
            names = ", ".join(map(repr, missing))
            issues.add(known, field, "dangling_edge",
                       f"edge {edge.id!r} points to missing node(s) {names}")
            continue
        source = planned.get(edge.source)
        handle = edge.handle
        if source is not None:
            if handle is None:
                handle = source.default_port
                if handle is None:
                    issues.add(edge.source, field, "ambiguous_handle",
                               f"edge {edge.id!r} must name an output port of {edge.source!r} "
                               f"({', '.join(sorted(source.ports))})")
                    continue
            elif handle not in source.ports:
                issues.add(edge.source, field, "unknown_handle",
                           f"edge {edge.id!r}: {edge.source!r} has no output port {handle!r} "
                           f"({', '.join(sorted(source.ports))})")
                continue
        identity = (edge.source, edge.target, handle)
        if identity in seen:
            issues.add(edge.source, field, "duplicate_edge",
                       f"edge {edge.id!r} duplicates another {edge.source!r} -> {edge.target!r}"
                       f" edge on port {handle!r}")
            continue
        seen.add(identity)
        if by_id[edge.source].parent_id != by_id[edge.target].parent_id:
            issues.add(edge.source, field, "cross_scope_edge",
                       f"edge {edge.id!r} crosses a loop boundary; reference outer data with "
                       f"expressions instead")
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
