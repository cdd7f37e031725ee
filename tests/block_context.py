"""A block's context as the engine builds it, for tests that execute one block directly."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from apps.blocks.sdk import BlockContext


def block_context(
    node_id: str,
    *,
    workspace_id: str | None = None,
    services: Mapping[str, Any] | None = None,
    execution_id: str | None = None,
) -> BlockContext:
    """Expressions are left as written (``evaluate`` returns its input): these tests pass
    the values themselves."""
    execution_id = execution_id or str(uuid.uuid4())
    return BlockContext(
        execution_id=execution_id,
        node_id=node_id,
        idempotency_key=f"{execution_id}:{node_id}",
        workspace_id=workspace_id,
        logger=logging.getLogger("test"),
        now=lambda: datetime.now(UTC),
        evaluate=lambda raw, extra: raw,
        services=services or {},
    )
