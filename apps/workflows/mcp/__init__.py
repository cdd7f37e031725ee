"""Published workflows as MCP tools over streamable HTTP at ``/mcp/`` (README: MCP)."""

PATH = "/mcp/"


def is_mcp_path(path: str) -> bool:
    """``/mcp/`` and below, and ``/mcp`` (which the SDK's app redirects to ``/mcp/``)."""
    return path == PATH.rstrip("/") or path.startswith(PATH)
