"""The fast pre-check may only say "valid" when jsonschema agrees."""

from __future__ import annotations

import itertools
import random

import pytest
from jsonschema import Draft202012Validator

from apps.workflows.engine.fastcheck import compile_fast
from apps.workflows.engine.tests.helpers import catalog_registry

SCHEMAS = [
    {
        "type": "object",
        "required": ["a"],
        "additionalProperties": False,
        "properties": {
            "a": {"type": "integer", "minimum": 1, "maximum": 5},
            "b": {"enum": ["x", "y"]},
            "c": {"type": "string", "minLength": 2, "maxLength": 3, "pattern": "^[a-z]+$"},
            "d": {
                "type": "array",
                "items": {"type": "number", "exclusiveMaximum": 3},
                "minItems": 1,
            },
            "e": {"type": ["string", "null"]},
            "f": {
                "type": "object",
                "additionalProperties": {"type": "boolean"},
                "propertyNames": {"pattern": "^[a-z]$"},
            },
            "g": {"const": "k"},
        },
    },
    {"type": "object", "properties": {"n": {"enum": [1, True]}}},  # non-string enum: fallback
    {"type": "object", "oneOf": [{"required": ["a"]}, {"required": ["b"]}]},
]
VALUES = [
    None,
    True,
    False,
    0,
    1,
    1.0,
    2.5,
    5,
    6,
    -1,
    "",
    "a",
    "ab",
    "abc",
    "abcd",
    "A1",
    "x",
    "k",
    [],
    [1],
    [1, 2, 4],
    ["a"],
    {},
    {"a": True},
    {"z": False},
    {"Z": True},
]


def _configs(rng: random.Random, n: int):
    keys = ["a", "b", "c", "d", "e", "f", "g", "n", "zz"]
    for _ in range(n):
        chosen = rng.sample(keys, rng.randint(0, 4))
        yield {k: rng.choice(VALUES) for k in chosen}


@pytest.mark.parametrize("schema", SCHEMAS)
def test_fast_check_never_accepts_an_invalid_value(schema):
    fast = compile_fast(schema)
    validator = Draft202012Validator(schema)
    accepted = 0
    for config in itertools.chain(VALUES, _configs(random.Random(5), 3000)):
        if fast(config):
            accepted += 1
            assert validator.is_valid(config), config
    if schema is SCHEMAS[0]:
        assert accepted >= 5  # and it does accept valid ones


def test_catalog_schemas_agree_on_examples():
    registry = catalog_registry()
    samples = [
        {},
        {"mapping": {"a": 1}},
        {"mapping": 1},
        {"items": [1], "max_concurrency": 40},
        {"items": [], "max_concurrency": 2},
        {"message": "x", "code": "Bad"},
        {"workflow_id": "w", "workflow_version": 0},
        {"values": {}},
        {"mode": "first"},
        {"mode": "other"},
        {"variables": {"1x": 1}},
        {"variables": {"ok": 1}},
    ]
    for block in registry.all():
        fast = compile_fast(block.spec.config_schema)
        for sample in samples:
            if fast(sample):
                assert block.validator.is_valid(sample), (block.ref, sample)
