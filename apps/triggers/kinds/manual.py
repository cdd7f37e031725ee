"""Manual and API runs: the run endpoint of the workflows app starts them; no activation.

`POST /api/v1/workflows/{id}/run/` (engine layer) is the authenticated API trigger with
input; the row exists so the trigger list shows every entry point of a published workflow.
An ``input_schema`` declares the input (MCP clients get it as the tool's input schema).
"""

from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from apps.triggers.registry import Problems, TriggerSpec, trigger_registry


def check(config: Mapping[str, Any]) -> Problems:
    """A declared input must be a valid JSON Schema of an object."""
    schema = config.get("input_schema")
    if schema is None:
        return {}
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        return {"config.input_schema": [f"Invalid JSON Schema: {exc.message}."]}
    if schema.get("type") != "object":
        return {"config.input_schema": ['The input must be an object: set "type": "object".']}
    return {}


SPEC = trigger_registry.register(
    TriggerSpec(
        kind="manual",
        block_type="manual_trigger",
        title="Manual / API",
        config_schema={"type": "object"},
        check=check,
    )
)
