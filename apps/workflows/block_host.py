"""The host services blocks reach through `ctx.services` (ARCHITECTURE.md, STYLE.md §5):
adapters from the block SDK's small interfaces to the apps that own the data. Outbound HTTP
and credentials are the Runner's own `http=`/`secrets=` (apps/credentials/resolver.py)."""

from typing import Any

from apps.blocks.vectors import VectorStore
from apps.connectors.selectors import connector_operation_for_run
from apps.routing.ports import RoutingService


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


def block_services(*, workspace_id: Any) -> dict[str, Any]:
    """Services for the blocks of one workspace's run.

    The router routes; it has no connector-operation executor yet, so the Semantic Router
    block's `execute` option (the tool-calling agent) answers a clear "no executor" error.
    """
    return {
        "vectors": VectorStore(workspace_id=workspace_id),
        "encoder": LazyEncoder(),
        "connectors": CatalogueOperations(),
        "router": RoutingService(),
    }
