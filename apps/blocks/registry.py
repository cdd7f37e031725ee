"""The block registry: validated manifests + execute functions, read-only once frozen.

Registration validates eagerly (key format, JSON Schema, defaults, ports, execute) so a
broken block fails at startup with a message naming it, never in the middle of a run.
Plain Python: the engine and the Django side both use it.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import pkgutil
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for

from apps.blocks.sdk import SPEC_ATTR, BlockSpec, Category, ExecuteFn, Policies
from apps.blocks.ui import ui_hint_errors

__all__ = [
    "ENTRY_POINT_GROUP",
    "BlockRegistry",
    "RegisteredBlock",
    "RegistryError",
    "UnknownBlock",
    "autodiscover",
    "default_registry",
    "defaults_applied",
]

ENTRY_POINT_GROUP = "flowplane.blocks"
KEY_RE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
PORT_RE = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
OUTPUT_TYPES = frozenset(
    {"string", "number", "integer", "boolean", "object", "array", "null", "json", "any"}
)
RESERVED_PORTS = frozenset({"error"})


class RegistryError(Exception):
    """A manifest was refused, or the registry is frozen."""


class UnknownBlock(LookupError):
    """No block registered under that key (and version)."""


@dataclass(frozen=True)
class RegisteredBlock:
    """A spec with its execute function and its compiled config validator."""

    spec: BlockSpec
    execute: ExecuteFn
    validator: Validator = field(compare=False, repr=False)
    ref: str = ""  # "key@version", kept as a field: the runner reads it for every step

    def __post_init__(self) -> None:
        if not self.ref:
            object.__setattr__(self, "ref", self.spec.ref)

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def version(self) -> int:
        return self.spec.version


def defaults_applied(schema: Mapping[str, Any], value: Any) -> Any:
    """Fill ``default``s of object properties, recursively, without touching the input.

    Returns ``value`` itself when there is nothing to fill (validation of big graphs
    calls this for every node, so it avoids copying).
    """
    props = schema.get("properties")
    if not props or not isinstance(value, dict):
        return value
    out: dict[str, Any] | None = None
    for name, sub in props.items():
        if not isinstance(sub, Mapping):
            continue
        if name not in value:
            if "default" in sub:
                out = out if out is not None else dict(value)
                out[name] = sub["default"]
        elif "properties" in sub:
            filled = defaults_applied(sub, value[name])
            if filled is not value[name]:
                out = out if out is not None else dict(value)
                out[name] = filled
    return out if out is not None else value


def _iter_defaults(schema: Any, path: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every subschema that declares a ``default``, with a readable path."""
    if isinstance(schema, Mapping):
        if "default" in schema:
            yield path, schema
        for key, sub in schema.items():
            if key in ("properties", "$defs", "definitions", "patternProperties"):
                if isinstance(sub, Mapping):
                    for name, child in sub.items():
                        yield from _iter_defaults(child, f"{path}.{name}")
            elif key in ("items", "additionalProperties", "not", "if", "then", "else"):
                yield from _iter_defaults(sub, f"{path}[]" if key == "items" else path)
            elif key in ("anyOf", "oneOf", "allOf", "prefixItems") and isinstance(sub, list):
                for child in sub:
                    yield from _iter_defaults(child, path)


# Formats asserted in block configs: only "regex", so a pattern a block compiles is refused
# when the graph is saved; other formats stay annotations, as JSON Schema 2020-12 has them.
FORMATS = FormatChecker(formats=("regex",))


def _check_spec(spec: BlockSpec, execute: Any) -> Validator:
    """Refuse a manifest that would break at run time; return its config validator."""
    where = f"block {spec.key!r} v{spec.version}"
    if not isinstance(spec.key, str) or not KEY_RE.match(spec.key):
        raise RegistryError(f"{where}: key must be snake_case ([a-z][a-z0-9_]*)")
    if not isinstance(spec.version, int) or isinstance(spec.version, bool) or spec.version < 1:
        raise RegistryError(f"{where}: version must be an int >= 1")
    if not callable(execute):
        raise RegistryError(f"{where}: missing execute function")
    if not spec.title:
        raise RegistryError(f"{where}: title is required")
    try:
        Category(spec.category)
    except ValueError:
        raise RegistryError(f"{where}: unknown category {spec.category!r}") from None
    schema = spec.config_schema
    if not isinstance(schema, Mapping) or schema.get("type") != "object":
        raise RegistryError(f"{where}: config_schema must be a JSON Schema with type 'object'")
    cls = validator_for(schema, default=Draft202012Validator)
    try:
        cls.check_schema(dict(schema))
    except SchemaError as exc:
        raise RegistryError(f"{where}: invalid config_schema: {exc.message}") from None
    for path, sub in _iter_defaults(schema, "config"):
        bare = {k: v for k, v in sub.items() if k != "default"}
        errors = list(cls(bare).iter_errors(sub["default"]))
        if errors:
            raise RegistryError(
                f"{where}: default of {path} does not validate: {errors[0].message}"
            )
    ports = spec.output_ports
    if not ports or len(set(ports)) != len(ports):
        raise RegistryError(f"{where}: output_ports must be non-empty and unique")
    for port in (*ports, *spec.input_ports):
        if not isinstance(port, str) or not PORT_RE.match(port) or port in RESERVED_PORTS:
            raise RegistryError(f"{where}: invalid port name {port!r}")
    if not spec.outputs:
        raise RegistryError(f"{where}: outputs must declare at least one field (or '*')")
    for name, kind in spec.outputs.items():
        if kind not in OUTPUT_TYPES:
            raise RegistryError(f"{where}: output {name!r} has unknown type {kind!r}")
    if not isinstance(spec.policies, Policies):
        raise RegistryError(f"{where}: policies must be a Policies instance")
    if spec.deprecated_since is not None and not spec.deprecated:
        raise RegistryError(f"{where}: deprecated_since set but deprecated is False")
    hint_problems = ui_hint_errors(spec.ui, schema)
    if hint_problems:
        raise RegistryError(f"{where}: {hint_problems[0]}")
    validator: Validator = cls(schema, format_checker=FORMATS)
    return validator


class BlockRegistry:
    """Blocks by key and version. Refuses duplicates; read-only once frozen."""

    def __init__(self) -> None:
        self._blocks: dict[str, dict[int, RegisteredBlock]] = {}
        self._latest: dict[str, RegisteredBlock] = {}
        self._frozen = False
        self._lock = threading.Lock()

    # --- writing -----------------------------------------------------------------------

    def register(self, spec: BlockSpec, execute: ExecuteFn) -> RegisteredBlock:
        """Validate and add one block version."""
        if self._frozen:
            raise RegistryError(f"registry is frozen; cannot register {spec.key!r}")
        validator = _check_spec(spec, execute)
        block = RegisteredBlock(spec=spec, execute=execute, validator=validator)
        with self._lock:
            versions = self._blocks.setdefault(spec.key, {})
            if spec.version in versions:
                raise RegistryError(f"block {spec.key!r} v{spec.version} is already registered")
            versions[spec.version] = block
            self._latest[spec.key] = versions[max(versions)]
        return block

    def register_module(self, module: ModuleType) -> int:
        """Register every function in ``module`` marked with ``@register``; return the count."""
        count = 0
        for obj in list(vars(module).values()):
            if getattr(obj, "__module__", None) != module.__name__:
                continue  # re-exported from elsewhere: registered where it is defined
            count += self._register_marked(obj)
        return count

    def _register_marked(self, obj: Any) -> int:
        specs = getattr(obj, SPEC_ATTR, ())
        for spec in specs:
            self.register(spec, obj)
        return len(specs)

    def freeze(self) -> None:
        self._frozen = True

    @property
    def frozen(self) -> bool:
        return self._frozen

    # --- reading -----------------------------------------------------------------------

    def find(self, key: str, version: int | str | None = None) -> RegisteredBlock | None:
        """Like :meth:`get` but answers None instead of raising."""
        if version is None and "@" in key:
            key, _, version = key.partition("@")
        if version is None or version == "":
            return self._latest.get(key)
        try:
            number = int(version)
        except (TypeError, ValueError):
            return None
        return self._blocks.get(key, {}).get(number)

    def get(self, key: str, version: int | str | None = None) -> RegisteredBlock:
        """The block ``key`` at ``version`` (latest when None); ``"key@2"`` works too."""
        block = self.find(key, version)
        if block is None:
            shown = key if version is None else f"{key}@{version}"
            raise UnknownBlock(f"unknown block {shown!r}")
        return block

    def versions(self, key: str) -> list[int]:
        return sorted(self._blocks.get(key, {}))

    def all(self) -> list[RegisteredBlock]:
        """Every registered version, sorted by key then version."""
        return [self._blocks[k][v] for k in sorted(self._blocks) for v in sorted(self._blocks[k])]

    def latest(self) -> list[RegisteredBlock]:
        return [self._latest[k] for k in sorted(self._latest)]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.find(key) is not None

    def __len__(self) -> int:
        return sum(len(v) for v in self._blocks.values())

    def health(self) -> dict[str, bool]:
        """Run every block's optional health check (by ``key@version``); raising is unhealthy."""
        report: dict[str, bool] = {}
        for block in self.all():
            check = block.spec.health_check
            if check is None:
                continue
            try:
                report[block.ref] = bool(check())
            except Exception:  # a broken check means the block is not healthy
                report[block.ref] = False
        return report

    # --- config migration --------------------------------------------------------------

    def upgrade_config(
        self,
        key: str,
        from_version: int,
        config: Mapping[str, Any],
        to_version: int | None = None,
    ) -> dict[str, Any]:
        """Chain ``migrate_config`` from ``from_version`` up to ``to_version`` (latest)."""
        target = to_version if to_version is not None else self.get(key).version
        if from_version > target:
            raise RegistryError(f"cannot downgrade {key!r} from v{from_version} to v{target}")
        current = dict(config)
        for version in range(from_version + 1, target + 1):
            block = self.get(key, version)
            if block.spec.migrate_config is None:
                raise RegistryError(f"block {key!r} v{version} has no migrate_config")
            current = dict(block.spec.migrate_config(current))
        return current


default_registry = BlockRegistry()


def _catalog_modules() -> Iterator[ModuleType]:
    package = importlib.import_module("apps.blocks.catalog")
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            yield importlib.import_module(f"{package.__name__}.{info.name}")


def autodiscover(
    registry: BlockRegistry | None = None,
    *,
    entry_points: Callable[[], Any] | None = None,
) -> BlockRegistry:
    """Register the built-in catalog and every ``flowplane.blocks`` entry point, then freeze.

    An entry point may name a module (every marked function in it is registered) or a
    marked function. Idempotent: a frozen registry is returned as it is.
    """
    target = registry if registry is not None else default_registry
    if target.frozen:
        return target
    for module in _catalog_modules():
        target.register_module(module)
    eps = (entry_points or (lambda: importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)))()
    for ep in eps:
        loaded = ep.load()
        if isinstance(loaded, ModuleType):
            found = target.register_module(loaded)
        else:
            found = target._register_marked(loaded)
        if not found:
            raise RegistryError(f"entry point {ep.name!r} ({ep.value}) exports no @register block")
    target.freeze()
    return target
