"""Manual and API runs: the run endpoint of the workflows app starts them; no activation.

`POST /api/v1/workflows/{id}/run/` (engine layer) is the authenticated API trigger with
input; the row exists so the trigger list shows every entry point of a published workflow.
"""

from apps.triggers.registry import TriggerSpec, trigger_registry

SPEC = trigger_registry.register(TriggerSpec(
    kind="manual", block_type="manual_trigger", title="Manual / API",
    config_schema={"type": "object"}))
