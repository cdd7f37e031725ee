"""Remote MCP servers' tools for the agent, beside the catalogue's operations.

The host's MCP port (``McpPort``: the workflows app's ``McpServers``, which resolves the
credential, applies the SSRF policy and caches tool lists) lists each configured server's tools;
each becomes a ``Tool`` whose ``connector`` is ``mcp:<index of the server>`` and whose
``operation`` is the server's tool name. ``McpAwareExecutor`` sends those calls to the port and
every other call to the catalogue executor, so the agent loop itself does not change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from apps.routing.tools import Tool, ToolExecutor, tool_name

__all__ = ["McpAwareExecutor", "McpPort", "McpToolError", "mcp_tools"]

PREFIX = "mcp:"


class McpPort(Protocol):
    def list_tools(
        self, *, url: str, credential_id: str | None = None
    ) -> tuple[list[dict[str, Any]], bool]: ...

    def call_tool(
        self, *, url: str, name: str, arguments: dict[str, Any], credential_id: str | None = None
    ) -> Mapping[str, Any]: ...


class McpToolError(Exception):
    """A remote tool answered with ``isError``; the model sees the message."""


def mcp_tools(port: McpPort, servers: Sequence[Mapping[str, Any]], taken: set[str]) -> list[Tool]:
    """The tools of ``servers`` (each ``{"url", "credential_id", "tools"}``) as agent tools;
    names already in ``taken`` get a suffix. Listing errors propagate: a server the agent was
    promised and cannot reach fails the step before the model is asked anything."""
    found: list[Tool] = []
    for index, server in enumerate(servers):
        listed, _ = port.list_tools(url=server["url"], credential_id=server.get("credential_id"))
        wanted = set(server.get("tools") or ())
        for item in listed:
            if wanted and item["name"] not in wanted:
                continue
            schema = item.get("input_schema")
            found.append(
                Tool(
                    name=tool_name(str(item["name"]), taken),
                    description=" ".join(str(item.get("description") or item["name"]).split())[
                        :1000
                    ],
                    parameters=dict(schema) if isinstance(schema, Mapping) else {"type": "object"},
                    connector=f"{PREFIX}{index}",
                    operation=str(item["name"]),
                )
            )
    return found


class McpAwareExecutor:
    """Calls of ``mcp:<n>`` tools go to the MCP port, the others to ``catalogue``."""

    def __init__(
        self, catalogue: ToolExecutor, port: McpPort, servers: Sequence[Mapping[str, Any]]
    ) -> None:
        self._catalogue = catalogue
        self._port = port
        self._servers = list(servers)

    def __call__(self, connector: str, operation: str, arguments: dict[str, Any]) -> Any:
        if not connector.startswith(PREFIX):
            return self._catalogue(connector, operation, arguments)
        server = self._servers[int(connector[len(PREFIX) :])]
        result = self._port.call_tool(
            url=server["url"],
            name=operation,
            arguments=arguments,
            credential_id=server.get("credential_id"),
        )
        content = list(result.get("content") or [])
        if result.get("is_error"):
            text = " ".join(str(p.get("text", "")) for p in content if isinstance(p, Mapping))
            raise McpToolError(f"tool {operation!r} reported an error: {text[:400]}")
        return {"content": content, "structured_content": result.get("structured_content")}
