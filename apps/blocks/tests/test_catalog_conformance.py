"""Every registered block spec, built-in or third-party, meets the manifest contract."""

from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator

from apps.blocks.registry import OUTPUT_TYPES, autodiscover, default_registry, defaults_applied
from apps.blocks.sdk import BlockSpec, Category

autodiscover()
BLOCKS = default_registry.all()


def test_catalog_has_the_control_flow_blocks():
    assert {
        "manual_trigger",
        "error_trigger",
        "condition",
        "switch",
        "loop",
        "merge",
        "delay",
        "wait",
        "sub_workflow",
        "set_variables",
        "stop_and_fail",
        "transform",
        "filter",
        "aggregate",
        "set_output",
    } <= {b.key for b in BLOCKS}


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: b.ref)
def test_spec_conforms(block):
    spec: BlockSpec = block.spec
    assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", spec.key)
    assert isinstance(spec.version, int) and spec.version >= 1
    Category(spec.category)
    Draft202012Validator.check_schema(spec.config_schema)
    assert spec.config_schema["type"] == "object"
    defaults = defaults_applied(spec.config_schema, {})
    for name, value in defaults.items():
        sub = dict(spec.config_schema["properties"][name])
        sub.pop("default")
        assert not list(Draft202012Validator(sub).iter_errors(value)), name
    assert spec.output_ports and "error" not in spec.output_ports
    assert spec.outputs and set(spec.outputs.values()) <= OUTPUT_TYPES
    assert spec.title and spec.description
    assert callable(block.execute)
    if spec.version > 1:
        assert spec.migrate_config is not None or default_registry.find(spec.key, 1) is None
