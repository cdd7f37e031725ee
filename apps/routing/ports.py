"""What the routing app offers the workflow engine's blocks (``ctx.services["router"]``).

``RoutingService.route`` answers a decision as plain data; ``run_agent`` runs a
connector's operation through the tool-calling agent and answers its result and trace. Tool
execution goes through the ``executor`` the host supplies (the platform's
connector-operation executor), so credentials, SSRF guard and policies stay where they are.
An executor with ``bind(connector=, credentials=)`` gets the block's per-connector credential
mapping that way before the agent starts (the platform's resolves the credential then, so a
missing one fails before any model turn).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from apps.routing.tools import ToolExecutor

__all__ = ["RoutingService"]


@dataclass
class RoutingService:
    executor: ToolExecutor | None = None
    llm: Any = None  # a ChatClient; ROUTING_LLM_* settings when None

    def route(self, query: str, *, top_k: int = 5, connector: str | None = None) -> dict[str, Any]:
        from apps.routing.services import route_query

        return route_query(query=query, top_k=top_k, connector=connector).as_dict()

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
