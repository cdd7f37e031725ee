"""The host services blocks reach through `ctx.services` (docs/ARCHITECTURE.md, docs/STYLE.md
§5): adapters from the block SDK's small interfaces to the apps that own the data. Outbound HTTP
and credentials are the Runner's own `http=`/`secrets=` (apps/credentials/resolver.py)."""

import logging
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from apps.blocks.sdk import BlockContext, BlockError, BlockResult
from apps.blocks.vectors import VectorStore
from apps.connectors.selectors import connector_operation_for_run
from apps.routing.ports import RoutingService
from apps.workflows.mcp_client import McpServers

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
        from apps.credentials.resolver import run_scrub

        result = catalogue_call(
            workspace_id=self._workspace_id,
            execution_id=self._execution_id,
            node_id=f"tool:{connector}.{operation}",
            idempotency_key=f"routing-agent:{uuid.uuid4()}",
            connector=connector,
            operation=operation,
            parameters={k: v for k, v in arguments.items() if k != "body"},
            body=arguments.get("body"),
            credential_id=self.credential_for(connector),
        )
        if result.park is not None:
            raise BlockError(
                f"{connector}.{operation} asked to wait; try again later",
                code="rate_limited",
                retryable=True,
            )
        # The result goes to a third party (the model) and into the trace: an upstream that
        # echoes the request must not hand either of them the credential.
        return run_scrub(self._execution_id, dict(result.outputs))


def catalogue_call(
    *,
    workspace_id: Any,
    execution_id: str,
    node_id: str,
    idempotency_key: str,
    connector: str,
    operation: str,
    parameters: Mapping[str, Any],
    body: Any = None,
    credential_id: str | None = None,
    http: Any = None,
) -> BlockResult:
    """One catalogue operation outside a workflow step (the router's agent, a polling
    trigger), run by the connector-operation block itself: its parameter validation, the
    catalogue's policies, the guarded client (``http``, default the process's), the
    credential with its OAuth refresh on 401, and redaction. Secrets resolved are remembered
    under ``execution_id`` for ``run_scrub``. Raises ``BlockError``; a long ``Retry-After``
    comes back as ``result.park``."""
    from apps.blocks.catalog import connector_operation
    from apps.credentials.resolver import WorkspaceSecrets, outbound_http

    client = http or outbound_http()
    ctx = BlockContext(
        execution_id=execution_id,
        node_id=node_id,
        idempotency_key=idempotency_key,
        workspace_id=str(workspace_id),
        logger=logger,
        now=lambda: datetime.now(UTC),
        evaluate=lambda value, names: value,
        secrets=WorkspaceSecrets(workspace_id, execution_id=execution_id, client=client),
        http=client,
        services={"connectors": CatalogueOperations()},
    )
    config = {
        "connector": connector,
        "operation": operation,
        "parameters": dict(parameters),
        "body": body,
        "credential_id": credential_id,
    }
    return connector_operation.execute(ctx, config, {})


def block_services(*, workspace_id: Any, execution_id: Any = None) -> dict[str, Any]:
    """Services for the blocks of one workspace's run."""
    mcp = McpServers(workspace_id=workspace_id, execution_id=execution_id)
    return {
        "vectors": VectorStore(workspace_id=workspace_id),
        "encoder": LazyEncoder(),
        "connectors": CatalogueOperations(),
        "mcp": mcp,
        "router": RoutingService(
            executor=ConnectorToolExecutor(workspace_id=workspace_id, execution_id=execution_id),
            mcp=mcp,
            workspace_id=workspace_id,
        ),
    }
