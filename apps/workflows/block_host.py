"""The host services blocks reach through `ctx.services` (docs/ARCHITECTURE.md, docs/STYLE.md
§5): adapters from the block SDK's small interfaces to the apps that own the data. Outbound HTTP
and credentials are the Runner's own `http=`/`secrets=` (apps/credentials/resolver.py)."""

import logging
import uuid
from collections.abc import Mapping
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
    policies (rate limit, retry, breaker), the guarded client and its redaction. `body` in the
    arguments is the request body. Each call carries the workspace's credential for the
    connector (`apps.credentials.selectors.credential_for_connector`): the one the block maps
    to it, else the single connected one; `bind` resolves it before the model is asked
    anything, so a missing credential fails the step instead of costing model turns."""

    def __init__(
        self,
        *,
        workspace_id: Any,
        execution_id: Any = None,
        credentials: Mapping[str, str] | None = None,
    ) -> None:
        self._workspace_id = workspace_id
        # Secrets resolved under the run's id are scrubbed from everything the run stores;
        # a node test run has none, so the calls get an id of their own for the same scrub.
        self._execution_id = str(execution_id or f"routing-agent-{uuid.uuid4()}")
        self._chosen = dict(credentials or {})
        self._resolved: dict[str, str | None] = {}

    def bind(
        self, *, connector: str, credentials: Mapping[str, str] | None = None
    ) -> "ConnectorToolExecutor":
        """An executor using the block's credential mapping; raises `CredentialRequired`
        now when `connector` has no usable credential."""
        bound = ConnectorToolExecutor(
            workspace_id=self._workspace_id,
            execution_id=self._execution_id,
            credentials=credentials,
        )
        bound.credential_for(connector)
        return bound

    def credential_for(self, connector: str) -> str | None:
        if connector not in self._resolved:
            from apps.credentials.selectors import credential_for_connector

            found = credential_for_connector(
                workspace_id=self._workspace_id,
                connector=connector,
                chosen=self._chosen.get(connector),
            )
            self._resolved[connector] = str(found.pk) if found is not None else None
        return self._resolved[connector]

    def __call__(self, connector: str, operation: str, arguments: dict[str, Any]) -> Any:
        from apps.blocks.catalog import connector_operation
        from apps.credentials.resolver import outbound_http, run_scrub, secrets_for

        parameters = {k: v for k, v in arguments.items() if k != "body"}
        config = {
            "connector": connector,
            "operation": operation,
            "parameters": parameters,
            "body": arguments.get("body"),
            "credential_id": self.credential_for(connector),
        }
        ctx = BlockContext(
            execution_id=self._execution_id,
            node_id=f"tool:{connector}.{operation}",
            idempotency_key=f"routing-agent:{uuid.uuid4()}",
            workspace_id=str(self._workspace_id),
            logger=logger,
            now=lambda: datetime.now(UTC),
            evaluate=lambda value, names: value,
            secrets=secrets_for(workspace_id=self._workspace_id, execution_id=self._execution_id),
            http=outbound_http(),
            services={"connectors": CatalogueOperations()},
        )
        result = connector_operation.execute(ctx, config, {})
        if result.park is not None:
            raise BlockError(
                f"{connector}.{operation} asked to wait; try again later",
                code="rate_limited",
                retryable=True,
            )
        # The result goes to a third party (the model) and into the trace: an upstream that
        # echoes the request must not hand either of them the credential.
        return run_scrub(self._execution_id, dict(result.outputs))


def block_services(*, workspace_id: Any, execution_id: Any = None) -> dict[str, Any]:
    """Services for the blocks of one workspace's run."""
    return {
        "vectors": VectorStore(workspace_id=workspace_id),
        "encoder": LazyEncoder(),
        "connectors": CatalogueOperations(),
        "router": RoutingService(
            executor=ConnectorToolExecutor(workspace_id=workspace_id, execution_id=execution_id)
        ),
    }
