"""The trigger registry: one TriggerSpec per kind, found by the graph node type that declares it.

A spec is data (kind, node type, the node's config schema) plus the functions the platform
calls for that kind: ``check(config)`` for what a JSON Schema cannot say (a cron expression,
a time zone, a preset name), ``check_in_workspace(config, workspace_id)`` for what only the
workspace's data can say (a catalogue operation, a credential), and ``first_fire(config, now)``
for kinds the tick drives.
Registration validates eagerly and refuses duplicates; kinds register from ``kinds/``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jsonschema import Draft202012Validator

from apps.blocks.registry import defaults_applied

Problems = dict[str, list[str]]


class TriggerRegistryError(Exception):
    """A spec was refused (bad kind, duplicate node type, invalid schema)."""


@dataclass(frozen=True)
class TriggerSpec:
    """A trigger kind's manifest."""

    kind: str
    block_type: str
    title: str
    config_schema: Mapping[str, Any]
    check: Callable[[Mapping[str, Any]], Problems] = field(default=lambda config: {})
    # Runs after ``check`` passed, when the trigger is saved for a workspace (publish, draft).
    check_in_workspace: Callable[[Mapping[str, Any], Any], Problems] | None = None
    # Kinds driven by the tick (schedule, poll) say when they fire first after activation.
    first_fire: Callable[[Mapping[str, Any], datetime], datetime | None] | None = None
    webhook: bool = False
    # Per-trigger state kept across republishes (the poll cursor), reset by nothing else.
    keeps_cursor: bool = False
    # Rewrites shorthands before the defaults are applied.
    prepare: Callable[[dict[str, Any]], dict[str, Any]] = field(default=lambda config: config)

    def resolved(self, config: Mapping[str, Any] | None) -> dict[str, Any]:
        """The node's config with shorthands expanded and the schema's defaults filled in."""
        return defaults_applied(dict(self.config_schema), self.prepare(dict(config or {})))

    def problems(self, config: Mapping[str, Any], *, workspace_id: Any = None) -> Problems:
        """Every problem with a (defaults-applied) config, keyed by a config path; with
        ``workspace_id``, also what the workspace's data refuses."""
        found: Problems = {}
        for error in Draft202012Validator(dict(self.config_schema)).iter_errors(config):
            path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
            found.setdefault(f"config{path}", []).append(error.message)
        if not found:
            for path, messages in self.check(config).items():
                found.setdefault(path, []).extend(messages)
        if not found and workspace_id is not None and self.check_in_workspace is not None:
            for path, messages in self.check_in_workspace(config, workspace_id).items():
                found.setdefault(path, []).extend(messages)
        return found


class TriggerRegistry:
    def __init__(self) -> None:
        self._by_kind: dict[str, TriggerSpec] = {}
        self._by_block: dict[str, TriggerSpec] = {}

    def register(self, spec: TriggerSpec) -> TriggerSpec:
        from apps.triggers.models import Trigger

        if spec.kind not in Trigger.Kind.values:
            raise TriggerRegistryError(f"unknown trigger kind {spec.kind!r}")
        if spec.block_type in self._by_block:
            raise TriggerRegistryError(f"node type {spec.block_type!r} is already registered")
        Draft202012Validator.check_schema(dict(spec.config_schema))
        self._by_kind.setdefault(spec.kind, spec)
        self._by_block[spec.block_type] = spec
        return spec

    def for_block(self, block_type: str) -> TriggerSpec | None:
        _discover()
        return self._by_block.get(block_type)

    def get(self, kind: str) -> TriggerSpec | None:
        _discover()
        return self._by_kind.get(kind)

    def all(self) -> list[TriggerSpec]:
        _discover()
        return [self._by_block[k] for k in sorted(self._by_block)]


trigger_registry = TriggerRegistry()
_discovered = False


def _discover() -> None:
    """Import every module of ``apps.triggers.kinds`` once; each registers its spec."""
    global _discovered
    if _discovered:
        return
    _discovered = True
    package = importlib.import_module("apps.triggers.kinds")
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"{package.__name__}.{info.name}")
