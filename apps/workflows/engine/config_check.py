"""Checking one node: its block, config (JSON Schema, expressions, references) and policies,
and what the step re-checks at run time when a config held expressions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jsonschema.exceptions import ValidationError

from apps.blocks.registry import RegisteredBlock, defaults_applied
from apps.blocks.sdk import BlockSpec
from apps.workflows.engine.errors import ExpressionSyntaxError
from apps.workflows.engine.expressions import (
    Template,
    check_syntax,
    compile_value,
    iter_templates,
    referenced_nodes,
    single_expression,
)
from apps.workflows.engine.fastcheck import Check, compile_fast
from apps.workflows.engine.plan import ERROR_PORT, PlanNode, _Issues
from apps.workflows.engine.policies import merge_policies, policies_errors
from apps.workflows.engine.topology import Upstream
from apps.workflows.engine.types import Node


def _field_path(error: ValidationError) -> str:
    path = "config"
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def expression_exempt(error: ValidationError) -> bool:
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
        return any(all(expression_exempt(sub) for sub in subs) for subs in branches.values())
    return False


# Keywords that only annotate; a subschema made of these accepts any value.
_ANNOTATIONS = frozenset(
    {
        "description",
        "title",
        "default",
        "examples",
        "$comment",
        "readOnly",
        "writeOnly",
        "deprecated",
    }
)
# Keywords whose effect on a value deep inside is hard to predict: be conservative.
_OPAQUE = frozenset(
    {
        "anyOf",
        "oneOf",
        "allOf",
        "not",
        "if",
        "then",
        "else",
        "$ref",
        "$dynamicRef",
        "dependentSchemas",
        "unevaluatedProperties",
        "unevaluatedItems",
        "patternProperties",
        "prefixItems",
        "contains",
        "uniqueItems",
    }
)


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


def _config_template(
    spec: BlockSpec, config: Mapping[str, Any], syntax: list[ExpressionSyntaxError]
) -> tuple[Template, bool]:
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


def _check_references(
    node: Node, known: Mapping[str, Node], upstream: Upstream, issues: _Issues
) -> None:
    """Warn about ``nodes.<id>`` references to nodes the graph does not have (typos) or
    that do not run before this node (at run time they read as null, or as the wrong run's)."""
    for field, text in iter_templates(node.config, "config"):
        for ref in sorted(referenced_nodes(text)):
            if ref not in known:
                issues.add(
                    node.id,
                    field,
                    "unknown_reference",
                    f"{field}: expression refers to unknown node {ref!r}",
                    "warning",
                )
            elif not upstream.has_run_before(node.id, ref):
                issues.add(
                    node.id,
                    field,
                    "not_upstream",
                    f"{field}: expression reads node {ref!r}, which does not run before "
                    f"{node.id!r}",
                    "warning",
                )


def _check_node(node: Node, block: RegisteredBlock, issues: _Issues, build: bool) -> PlanNode:
    spec = block.spec
    config = defaults_applied(spec.config_schema, node.config)
    errors = () if fast_check(block)(config) else block.validator.iter_errors(config)
    for error in errors:
        if expression_exempt(error):
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
        issues.add(
            node.id, "type", "deprecated_block", f"block {spec.ref} is deprecated{since}", "warning"
        )
    ports = spec.ports_for(config)
    default_port = "main" if "main" in ports else (ports[0] if len(ports) == 1 else None)
    join = spec.join(config) if spec.join is not None else "all"
    return PlanNode(
        node=node,
        block=block,
        config=config,
        template=template,
        recheck=recheck,
        policies=policies,
        ports=frozenset((*ports, ERROR_PORT)),
        default_port=default_port,
        join=join if join in ("all", "first") else "all",
    )
