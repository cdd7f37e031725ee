"""The host services blocks reach through `ctx.services` (docs/ARCHITECTURE.md, docs/STYLE.md
§5): adapters from the block SDK's small interfaces to the apps that own the data. Outbound HTTP
and credentials are the Runner's own `http=`/`secrets=` (apps/credentials/resolver.py)."""

import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from apps.blocks.sdk import BlockContext, BlockError
from apps.blocks.vectors import VectorStore
from apps.connectors.selectors import connector_operation_for_run
from apps.routing.ports import RoutingService

logger = logging.getLogger(__name__)


class CatalogueOperations:
    """`ctx.services["connectors"]`: an enabled operation of the connector catalogue."""

    def operation(self, slug: str, key: str) -> dict[str, Any] | None:
        return connector_operation_for_run(slug=slug, key=key)


class LazyEncoder:
    """`ctx.services["encoder"]`: the routing app's local sentence encoder, loaded on first
    use (loading costs seconds, encoding milliseconds) and shared by the whole process."""

    def _get(self) -> Any:
        from apps.routing.encoders import get_encoder

        return get_encoder()

    @property
    def key(self) -> str:
        return str(self._get().key)

    @property
    def dim(self) -> int:
        return int(self._get().dim)

    def encode(self, texts: list[str]) -> Any:
        return self._get().encode(texts)


class ConnectorToolExecutor:
    """The agent's tool calls (`executor(connector, operation, arguments)`), run by the
    connector-operation block itself, so they get its parameter validation, the catalogue's
    policies and the guarded client. `body` in the arguments is the request body. Tool calls
    carry no credential: an operation that needs one answers the upstream's 401 as an error
    the agent sees."""

    def __init__(self, *, workspace_id: Any) -> None:
        self._workspace_id = workspace_id

    def __call__(self, connector: str, operation: str, arguments: dict[str, Any]) -> Any:
        from apps.blocks.catalog import connector_operation
        from apps.credentials.resolver import outbound_http, secrets_for

        parameters = {k: v for k, v in arguments.items() if k != "body"}
        config = {"connector": connector, "operation": operation, "parameters": parameters,
                  "body": arguments.get("body")}
        ctx = BlockContext(
            execution_id="routing-agent", node_id=f"tool:{connector}.{operation}",
            idempotency_key=f"routing-agent:{uuid.uuid4()}",
            workspace_id=str(self._workspace_id), logger=logger,
            now=lambda: datetime.now(UTC), evaluate=lambda value, names: value,
            secrets=secrets_for(workspace_id=self._workspace_id), http=outbound_http(),
            services={"connectors": CatalogueOperations()})
        result = connector_operation.execute(ctx, config, {})
        if result.park is not None:
            raise BlockError(f"{connector}.{operation} asked to wait; try again later",
                             code="rate_limited", retryable=True)
        return dict(result.outputs)


def block_services(*, workspace_id: Any) -> dict[str, Any]:
    """Services for the blocks of one workspace's run."""
    return {
        "vectors": VectorStore(workspace_id=workspace_id),
        "encoder": LazyEncoder(),
        "connectors": CatalogueOperations(),
        "router": RoutingService(executor=ConnectorToolExecutor(workspace_id=workspace_id)),
    }
