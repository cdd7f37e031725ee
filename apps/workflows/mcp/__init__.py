"""Published workflows as MCP tools over streamable HTTP at ``/mcp/`` (README: MCP)."""
