"""Loop: for each item, run the body sub-graph (the nodes whose ``parentId`` is this node).

Inside the body, expressions see ``item`` and ``index``. Results come back in item order;
an item whose body fails is reported in ``errors`` without losing the others. Items run
``max_concurrency`` at a time. When some items park (a delay in the body), the loop
parks too and, when woken, picks up where they are: finished items are reused.
"""

from __future__ import annotations

import contextvars
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from apps.blocks.sdk import (
    BlockContext,
    BlockError,
    BlockResult,
    BlockSpec,
    BodyItemResult,
    Category,
    Park,
    register,
)

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["items"],
    "properties": {
        "items": {"type": "array", "description": "Usually {{ nodes.<id>.output.<list> }}."},
        "max_concurrency": {"type": "integer", "minimum": 1, "maximum": 32, "default": 1},
        "fail_on_error": {"type": "boolean", "default": False},
    },
}

SPEC = BlockSpec(
    key="loop",
    version=1,
    title="Loop over items",
    category=Category.LOOP,
    icon="repeat",
    description="Run the nodes inside the loop once per item; continue on 'done'.",
    config_schema=CONFIG_SCHEMA,
    output_ports=("done",),
    has_body=True,
    outputs={"results": "array", "errors": "array", "count": "integer", "failed": "integer"},
)


# Each item is at least one stored step; the run's step budget bounds nested loops too.
MAX_ITEMS = 10_000


@register(SPEC)
def execute(ctx: BlockContext, config: Mapping[str, Any], inputs: Mapping[str, Any]) -> BlockResult:
    """Run every item's body; collect results in order and errors by index."""
    items = config.get("items")
    if items is None:
        items = []
    if not isinstance(items, list):
        raise BlockError(
            f"config.items must be a list, got {type(items).__name__}", code="invalid_config"
        )
    if len(items) > MAX_ITEMS:
        raise BlockError(
            f"a loop takes at most {MAX_ITEMS} items, got {len(items)}: "
            "split the work (e.g. a sub-workflow per batch)",
            code="too_many_items",
        )
    if ctx.body is None:
        raise BlockError("loop needs a body runner from the engine", code="not_configured")
    body = ctx.body
    concurrency = min(int(config.get("max_concurrency", 1)), max(len(items), 1))
    results: list[BodyItemResult]
    if concurrency <= 1:
        results = [body.run(item, index) for index, item in enumerate(items)]
    else:
        # Each item runs in a copy of this step's context (the host's trace span, log ids).
        contexts = [contextvars.copy_context() for _ in items]
        with ThreadPoolExecutor(concurrency, thread_name_prefix="flowplane-loop") as pool:
            results = list(
                pool.map(
                    lambda pair: contexts[pair[0]].run(body.run, pair[1], pair[0]), enumerate(items)
                )
            )
    errors = [{"index": r.index, "error": r.error} for r in results if r.status == "failed"]
    outputs = {
        "results": [r.output if r.status == "succeeded" else None for r in results],
        "errors": errors,
        "count": len(items),
        "failed": len(errors),
    }
    waiting = [r for r in results if r.status == "waiting"]
    if waiting:
        untils = [r.wake_at for r in waiting if r.wake_at is not None]
        return BlockResult(
            outputs=outputs,
            park=Park(
                until=min(untils) if untils else None,
                resume_token_required=any(r.awaiting_resume for r in waiting),
                reason=f"{len(waiting)} item(s) waiting",
            ),
        )
    failed = [r for r in results if r.status == "failed"]
    if failed and config.get("fail_on_error"):
        message = (failed[0].error or {}).get("message")
        raise BlockError(
            f"{len(failed)} of {len(items)} item(s) failed; item {failed[0].index}: {message}",
            code="loop_item_failed",
        )
    return BlockResult(outputs=outputs)
