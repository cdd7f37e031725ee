from __future__ import annotations

import types
from datetime import date

import pytest

from apps.blocks.registry import BlockRegistry, RegistryError, UnknownBlock, autodiscover
from apps.blocks.sdk import BlockResult, BlockSpec, Category, register

SCHEMA = {"type": "object", "properties": {"n": {"type": "integer", "default": 1}}}


def spec(**overrides) -> BlockSpec:
    values = {
        "key": "thing",
        "version": 1,
        "title": "Thing",
        "category": Category.DATA,
        "config_schema": SCHEMA,
    }
    values.update(overrides)
    return BlockSpec(**values)


def execute(ctx, config, inputs):
    return BlockResult(outputs={})


def test_register_and_get_latest_or_pinned():
    registry = BlockRegistry()
    registry.register(spec(), execute)
    registry.register(spec(version=2), execute)
    assert registry.get("thing").version == 2
    assert registry.get("thing", 1).version == 1
    assert registry.get("thing", "1").version == 1
    assert registry.get("thing@1").version == 1
    assert registry.find("thing", "x") is None
    assert [b.ref for b in registry.all()] == ["thing@1", "thing@2"]
    assert [b.ref for b in registry.latest()] == ["thing@2"]
    assert registry.versions("thing") == [1, 2]
    assert "thing" in registry and len(registry) == 2
    with pytest.raises(UnknownBlock, match="'nope'"):
        registry.get("nope")
    with pytest.raises(UnknownBlock, match="thing@9"):
        registry.get("thing", 9)


def test_duplicates_are_refused():
    registry = BlockRegistry()
    registry.register(spec(), execute)
    with pytest.raises(RegistryError, match="already registered"):
        registry.register(spec(), execute)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"key": "Bad-Key"}, "snake_case"),
        ({"key": "trailing_"}, "snake_case"),
        ({"version": 0}, "version"),
        ({"title": ""}, "title"),
        ({"category": "nonsense"}, "category"),
        ({"config_schema": {"type": "string"}}, "type 'object'"),
        (
            {"config_schema": {"type": "object", "properties": {"n": {"type": "nope"}}}},
            "invalid config_schema",
        ),
        (
            {
                "config_schema": {
                    "type": "object",
                    "properties": {"n": {"type": "integer", "default": "one"}},
                }
            },
            "default of config.n",
        ),
        (
            {
                "config_schema": {
                    "type": "object",
                    "properties": {
                        "o": {
                            "type": "object",
                            "properties": {"m": {"enum": ["a"], "default": "b"}},
                        }
                    },
                }
            },
            "default of config.o.m",
        ),
        ({"output_ports": ()}, "output_ports"),
        ({"output_ports": ("error",)}, "invalid port name"),
        ({"outputs": {}}, "outputs"),
        ({"outputs": {"x": "blob"}}, "unknown type"),
        ({"deprecated_since": date(2025, 1, 1)}, "deprecated"),
    ],
)
def test_invalid_manifests_are_refused_with_a_clear_message(overrides, message):
    with pytest.raises(RegistryError, match=message):
        BlockRegistry().register(spec(**overrides), execute)


def test_missing_execute_is_refused():
    with pytest.raises(RegistryError, match="missing execute"):
        BlockRegistry().register(spec(), None)  # type: ignore[arg-type]


def test_frozen_registry_is_read_only():
    registry = BlockRegistry()
    registry.freeze()
    with pytest.raises(RegistryError, match="frozen"):
        registry.register(spec(), execute)


def test_register_module_picks_up_marked_functions_only():
    module = types.ModuleType("fake_blocks")

    @register(spec(key="one"))
    @register(spec(key="one", version=2))
    def run_one(ctx, config, inputs):
        return BlockResult()

    def helper():
        return None

    run_one.__module__ = helper.__module__ = "fake_blocks"
    module.run_one, module.helper = run_one, helper
    registry = BlockRegistry()
    assert registry.register_module(module) == 2
    assert registry.versions("one") == [1, 2]


def test_upgrade_config_chains_migrations():
    registry = BlockRegistry()
    registry.register(spec(), execute)
    registry.register(spec(version=2, migrate_config=lambda c: {"count": c.get("n", 0)}), execute)
    registry.register(
        spec(version=3, migrate_config=lambda c: {**c, "count": c["count"] * 10}), execute
    )
    assert registry.upgrade_config("thing", 1, {"n": 4}) == {"count": 40}
    assert registry.upgrade_config("thing", 2, {"count": 1}, to_version=3) == {"count": 10}
    registry.register(spec(key="other"), execute)
    registry.register(spec(key="other", version=2), execute)
    with pytest.raises(RegistryError, match="no migrate_config"):
        registry.upgrade_config("other", 1, {})
    with pytest.raises(RegistryError, match="downgrade"):
        registry.upgrade_config("thing", 3, {}, to_version=1)


def test_health_checks():
    def broken() -> bool:
        raise RuntimeError("down")

    registry = BlockRegistry()
    registry.register(spec(key="fine", health_check=lambda: True), execute)
    registry.register(spec(key="sick", health_check=broken), execute)
    registry.register(spec(key="quiet"), execute)
    assert registry.health() == {"fine@1": True, "sick@1": False}


class FakeEntryPoint:
    def __init__(self, name, loaded):
        self.name, self.value, self._loaded = name, f"pkg:{name}", loaded

    def load(self):
        return self._loaded


def test_autodiscover_loads_catalog_and_entry_points_then_freezes():
    @register(spec(key="third_party"))
    def third(ctx, config, inputs):
        return BlockResult()

    registry = autodiscover(BlockRegistry(), entry_points=lambda: [FakeEntryPoint("third", third)])
    assert registry.frozen
    assert {"transform", "loop", "manual_trigger", "third_party"} <= {b.key for b in registry.all()}
    assert autodiscover(registry) is registry  # idempotent once frozen


def test_entry_point_without_blocks_is_an_error():
    with pytest.raises(RegistryError, match="exports no @register block"):
        autodiscover(BlockRegistry(), entry_points=lambda: [FakeEntryPoint("x", lambda: None)])
