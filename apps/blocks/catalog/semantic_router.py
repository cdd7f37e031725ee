"""Semantic router: pick the connector operation a sentence asks for, optionally run it.

Host service contract (``ctx.services["router"]``, ``apps.routing.ports.RoutingService``)::

    route(query: str, *, top_k: int, connector: str | None) -> Mapping
        {"route", "connector", "operation", "confidence", "alternatives": [...],
         "reasoning", "decided_by", "arguments", ...}   # route None: no route
    run_agent(*, connector: str, operation: str, task: str, role: str, goal: str,
              backstory: str, max_iterations: int, context: Any,
              credentials: Mapping[str, str], mcp_servers: list) -> Mapping
        {"output", "stopped", "iterations", "trace": [...], "usage", "error"}

The block routes ``query``; with ``execute`` on and a route found, a tool-calling agent
(role, goal, backstory from the config, else the connector's) gets the chosen operation as
its tool and ``task`` (default: the query) as its task; its whole trace is in the output,
so it lands in the execution log. ``credentials`` maps connector slugs to credential ids
for the agent's calls; a connector without one uses the workspace's single connected
credential for it, and a connector that needs one and has none fails the step
(``credential_required``) before the model is asked anything. ``mcp_servers``
(``{"url", "credential_id", "tools"}`` each) adds the tools of remote MCP servers to the
agent's, listed (and cached) and called through the host's MCP client; a server that cannot
be listed fails the step before the model is asked anything. Ports: ``matched`` when a
route was chosen, ``no_route`` otherwise. ``threshold`` overrides the router's confidence
threshold for this node.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apps.blocks.sdk import (
    BlockContext,
    BlockError,
    BlockResult,
    BlockSpec,
    Category,
    Policies,
    RetryPolicy,
    register,
)

KEY = "semantic_router"
UUID = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["query"],
    "properties": {
        "query": {"type": "string", "minLength": 1, "maxLength": 2000},
        "top_k": {"type": "integer", "minimum": 1, "maximum": 20, "default": 5},
        "connector": {
            "type": ["string", "null"],
            "maxLength": 80,
            "default": None,
            "description": "Route only among this connector's operations.",
        },
        "threshold": {
            "type": ["number", "null"],
            "minimum": 0,
            "maximum": 1,
            "default": None,
            "description": "Confidence needed to answer (default: the router's).",
        },
        "execute": {
            "type": "boolean",
            "default": False,
            "description": "Run the chosen operation through a tool-calling agent.",
        },
        "task": {"type": ["string", "null"], "maxLength": 8000, "default": None},
        "role": {"type": ["string", "null"], "maxLength": 200, "default": None},
        "goal": {"type": ["string", "null"], "maxLength": 2000, "default": None},
        "backstory": {"type": ["string", "null"], "maxLength": 4000, "default": None},
        "max_iterations": {"type": "integer", "minimum": 1, "maximum": 20, "default": 6},
        "context": {"default": None, "description": "Data handed to the agent with its task."},
        "credentials": {
            "type": "object",
            "default": {},
            "maxProperties": 20,
            "propertyNames": {"pattern": "^[-a-zA-Z0-9_]{1,80}$"},
            "additionalProperties": {"type": "string", "pattern": UUID},
            "description": "Credential id per connector slug for the agent's tool calls "
            "(default: the workspace's single connected credential of the "
            "connector).",
        },
        "mcp_servers": {
            "type": "array",
            "default": [],
            "maxItems": 5,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["url"],
                "properties": {
                    "url": {
                        "type": "string",
                        "maxLength": 2000,
                        "pattern": "^[hH][tT][tT][pP][sS]?://",
                    },
                    "credential_id": {"type": ["string", "null"], "pattern": UUID, "default": None},
                    "tools": {
                        "type": "array",
                        "maxItems": 50,
                        "items": {"type": "string", "maxLength": 200},
                        "description": "Offer only these tools (default: all of them).",
                    },
                },
            },
            "description": "Remote MCP servers (streamable HTTP) whose tools the agent may "
            "call alongside the chosen operation.",
        },
    },
}

SPEC = BlockSpec(
    key=KEY,
    version=1,
    title="Semantic router",
    category=Category.AI_AGENT,
    icon="signpost",
    description="Choose the connector operation a sentence asks for (or none), and optionally "
    "run it through a tool-calling agent.",
    config_schema=CONFIG_SCHEMA,
    output_ports=("matched", "no_route"),
    outputs={
        "matched": "boolean",
        "route": "string",
        "connector": "string",
        "operation": "string",
        "confidence": "number",
        "alternatives": "array",
        "reasoning": "string",
        "arguments": "object",
        "result": "any",
        "agent": "object",
    },
    policies=Policies(timeout_s=300, retry=RetryPolicy(max_attempts=2, base_s=2.0)),
)


def _service(ctx: BlockContext) -> Any:
    service = ctx.services.get("router")
    if service is None:
        raise BlockError(
            f"{KEY}: this host provides no router (ctx.services['router'])", code="not_configured"
        )
    return service


@register(SPEC)
def execute(ctx: BlockContext, config: Mapping[str, Any], inputs: Mapping[str, Any]) -> BlockResult:
    """Route the query; run the chosen operation through the agent when asked."""
    service = _service(ctx)
    try:
        decision = dict(
            service.route(
                config["query"], top_k=config.get("top_k", 5), connector=config.get("connector")
            )
        )
    except (LookupError, ValueError) as exc:
        raise BlockError(f"{KEY}: {exc}", code="routing_failed") from None
    threshold = config.get("threshold")
    alternatives = list(decision.get("alternatives") or [])
    if threshold is not None:
        confidence = float(decision.get("confidence") or 0.0)
        if decision.get("route") and confidence < threshold:
            alternatives = [
                {k: decision.get(k) for k in ("route", "connector", "operation")},
                *alternatives,
            ]
            decision.update(
                route=None,
                connector=None,
                operation=None,
                reasoning=f"No route: confidence {confidence:.2f} is below this "
                f"node's threshold {threshold:.2f}.",
            )
        elif not decision.get("route") and alternatives and confidence >= threshold:
            best = alternatives.pop(0)
            decision.update(
                route=best["route"],
                connector=best["connector"],
                operation=best["operation"],
                reasoning=f"{best['connector']}/{best['route']}: confidence "
                f"{confidence:.2f} passes this node's threshold "
                f"{threshold:.2f}.",
            )
    matched = bool(decision.get("route"))
    outputs: dict[str, Any] = {
        "matched": matched,
        "route": decision.get("route"),
        "connector": decision.get("connector"),
        "operation": decision.get("operation"),
        "confidence": decision.get("confidence"),
        "alternatives": alternatives,
        "reasoning": decision.get("reasoning", ""),
        "arguments": dict(decision.get("arguments") or {}),
        "result": None,
        "agent": None,
    }
    if matched and config.get("execute"):
        ctx.logger.info(
            "semantic_router.agent_started",
            extra={"connector": outputs["connector"], "operation": outputs["operation"]},
        )
        agent = dict(
            service.run_agent(
                connector=outputs["connector"],
                operation=outputs["operation"],
                task=config.get("task") or config["query"],
                role=config.get("role") or "",
                goal=config.get("goal") or "",
                backstory=config.get("backstory") or "",
                max_iterations=config.get("max_iterations", 6),
                context={"arguments": outputs["arguments"], "data": config.get("context")},
                credentials=dict(config.get("credentials") or {}),
                mcp_servers=[dict(server) for server in config.get("mcp_servers") or []],
            )
        )
        outputs["agent"] = agent
        outputs["result"] = agent.get("output")
        if agent.get("stopped") == "llm_error":
            raise BlockError(
                f"{KEY}: the agent's model failed: {agent.get('error')}",
                retryable=True,
                code="agent_failed",
            )
    return BlockResult(outputs=outputs, handles=("matched",) if matched else ("no_route",))
