"""What the routing app offers the workflow engine's blocks (``ctx.services["router"]``).

``RoutingService.route`` answers a decision as plain data; ``run_agent`` runs a
connector's operation through the tool-calling agent and answers its result and trace. Tool
execution goes through the ``executor`` the host supplies (the platform's
connector-operation executor), so credentials, SSRF guard and policies stay where they are.
With ``workspace_id``, routing takes that workspace's prior into account (workspace.py).
An executor with ``bind(connector=, credentials=)`` gets the block's per-connector credential
mapping that way before the agent starts (the platform's resolves the credential then, so a
missing one fails before any model turn).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from apps.routing.tools import ToolExecutor

__all__ = ["RoutingService"]


@dataclass
class RoutingService:
    executor: ToolExecutor | None = None
    llm: Any = None  # a ChatClient; ROUTING_LLM_* settings when None
    mcp: Any = None  # an McpPort (apps/routing/mcp_tools.py), for agents given MCP servers
    # The asking workspace: its connected connectors and used operations weigh in
    # (apps/routing/workspace.py); None routes as if nothing were known about it.
    workspace_id: Any = None

    def route(self, query: str, *, top_k: int = 5, connector: str | None = None) -> dict[str, Any]:
        from apps.routing.services import route_query
        from apps.routing.workspace import workspace_prior

        prior = workspace_prior(self.workspace_id)
        return route_query(query=query, top_k=top_k, connector=connector, prior=prior).as_dict()

    def run_agent(
        self,
        *,
        connector: str,
        operation: str,
        task: str,
        role: str = "",
        goal: str = "",
        backstory: str = "",
        max_iterations: int = 6,
        context: Any = None,
        credentials: Mapping[str, str] | None = None,
        mcp_servers: Sequence[Mapping[str, Any]] = (),
    ) -> dict[str, Any]:
        from apps.routing.llm import LLMError, llm_from_settings
        from apps.routing.tools import connector_agent

        if self.executor is None:
            raise LookupError("this host provides no connector-operation executor")
        llm = self.llm or llm_from_settings()
        if llm is None:
            raise LookupError("no chat model is configured (ROUTING_LLM_URL)")
        executor = self.executor
        if callable(getattr(executor, "bind", None)):
            executor = executor.bind(connector=connector, credentials=credentials)
        agent = connector_agent(
            connector=connector,
            llm=llm,
            executor=executor,
            operations=[operation],
            role=role,
            goal=goal,
            backstory=backstory,
            max_iterations=max_iterations,
        )
        if not agent.tools:
            raise LookupError(f"connector {connector!r} has no enabled operation {operation!r}")
        if mcp_servers:
            self._add_mcp_tools(agent, mcp_servers)
        try:
            return agent.run(task, context=context).as_dict()
        except LLMError as exc:  # pragma: no cover - run() reports model errors itself
            return {
                "output": "",
                "stopped": "llm_error",
                "iterations": 0,
                "trace": [],
                "usage": {},
                "error": str(exc),
            }

    def _add_mcp_tools(self, agent: Any, servers: Sequence[Mapping[str, Any]]) -> None:
        from apps.blocks.sdk import BlockError
        from apps.connectors.outbound.errors import OutboundError
        from apps.routing.mcp_tools import McpAwareExecutor, mcp_tools

        if self.mcp is None:
            raise LookupError("this host provides no MCP client")
        try:
            agent.tools.extend(mcp_tools(self.mcp, servers, {t.name for t in agent.tools}))
        except OutboundError as exc:
            # Unreachable, refused by the SSRF policy or the credential: before any model turn.
            raise BlockError(
                f"semantic_router: an MCP server's tools cannot be listed: {exc}",
                code="mcp_unavailable",
                retryable=exc.retryable,
            ) from None
        agent.executor = McpAwareExecutor(agent.executor, self.mcp, servers)
