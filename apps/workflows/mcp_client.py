"""`ctx.services["mcp"]`: remote MCP servers for the blocks of one workspace's run (the MCP
client block, and the Semantic Router's agent through the routing service).

The protocol and the SSRF guard are `apps.connectors.outbound.mcp` (streamable HTTP only, every
connection pinned to an address the policy checked); this adapter adds what the workflows side
owns: the workspace's credential (resolved by `apps.credentials.resolver`, so its secrets are
remembered for the run's scrub and an expired OAuth token is refreshed once on a 401), the
tool-list cache (Django's cache, shared by all workers), the scrub of what comes back, and the
servers' policies (``MCP_CLIENT_BREAKER``, ``MCP_CLIENT_RATE_LIMIT``: a breaker and a rate limit
per server, applied by the platform's outbound client like a connector's, which also counts
every call for the Status page and the metrics).
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django.conf import settings
from django.core.cache import cache

from apps.connectors.outbound import BreakerPolicy, RateLimitPolicy, TargetPolicy
from apps.connectors.outbound.errors import McpUnauthorized
from apps.connectors.outbound.policies import NO_RETRY
from apps.connectors.selectors import policy_from

__all__ = ["McpServers", "server_policy", "tools_cache_key"]

DEFAULT_TTL_S = 300.0


def tools_cache_key(*, workspace_id: Any, url: str, credential_id: Any) -> str:
    """Per workspace, server and credential: another credential may see other tools."""
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]
    return f"mcp:tools:{workspace_id}:{digest}:{credential_id or '-'}"


def server_policy() -> TargetPolicy:
    """Every MCP server's breaker and rate limit, from settings; no inline retry (the step's
    retry policy is the one retry layer)."""
    return TargetPolicy(
        retry=NO_RETRY,
        rate_limit=policy_from(RateLimitPolicy, settings.MCP_CLIENT_RATE_LIMIT),
        breaker=policy_from(BreakerPolicy, settings.MCP_CLIENT_BREAKER),
    )


class McpServers:
    """List and call the tools of remote MCP servers with the workspace's credentials."""

    def __init__(self, *, workspace_id: Any, execution_id: Any = None) -> None:
        self._workspace_id = workspace_id
        # As ConnectorToolExecutor: a node test run has no execution, so its calls get an id of
        # their own for the scrub of what the server answers.
        self._execution_id = str(execution_id or f"mcp-client-{uuid.uuid4()}")

    def list_tools(
        self,
        *,
        url: str,
        credential_id: str | None = None,
        ttl_s: float = DEFAULT_TTL_S,
        timeout_s: float = 30.0,
    ) -> tuple[list[dict[str, Any]], bool]:
        """``(tools, from_cache)``; ``ttl_s`` 0 neither reads nor fills the cache."""
        key = tools_cache_key(workspace_id=self._workspace_id, url=url, credential_id=credential_id)
        if ttl_s > 0:
            cached = cache.get(key)
            if isinstance(cached, list):
                return cached, True
        from apps.connectors.outbound.mcp import mcp_list_tools  # the SDK loads on first use

        tools = self._with_credential(
            credential_id,
            lambda client, auth: mcp_list_tools(
                url, client=client, target=server_policy(), auth=auth, timeout=timeout_s
            ),
        )
        tools = self.scrub(tools)
        if ttl_s > 0:
            cache.set(key, tools, timeout=ttl_s)
        return tools, False

    def call_tool(
        self,
        *,
        url: str,
        name: str,
        arguments: dict[str, Any],
        credential_id: str | None = None,
        timeout_s: float = 30.0,
    ) -> dict[str, Any]:
        """``{"content", "structured_content", "is_error"}``, the credential scrubbed out."""
        from apps.connectors.outbound.mcp import mcp_call_tool

        result = self._with_credential(
            credential_id,
            lambda client, auth: mcp_call_tool(
                url,
                name,
                arguments,
                client=client,
                target=server_policy(),
                auth=auth,
                timeout=timeout_s,
            ),
        )
        return dict(self.scrub(result))

    def scrub(self, value: Any) -> Any:
        """``value`` with every secret this service resolved replaced by ``[redacted]``."""
        from apps.credentials.resolver import run_scrub

        return run_scrub(self._execution_id, value)

    def _with_credential(self, credential_id: str | None, call: Any) -> Any:
        from apps.credentials.resolver import outbound_http, secrets_for

        client = outbound_http()
        if not credential_id:
            return call(client, None)
        secrets = secrets_for(workspace_id=self._workspace_id, execution_id=self._execution_id)
        auth = secrets.auth_for(credential_id)
        try:
            return call(client, auth)
        except McpUnauthorized:
            # An OAuth token may have expired early: refresh it once and try again. Other kinds
            # hand back the same secret, and asking again with it would only fail again.
            fresh = secrets.refresh(credential_id, stale=auth)
            if list(fresh.secrets()) == list(auth.secrets()):
                raise
            return call(client, fresh)
