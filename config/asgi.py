import os
from typing import Any

from django.core.asgi import get_asgi_application
from starlette.types import Receive, Scope, Send

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django_application = get_asgi_application()

from apps.workflows.mcp import is_mcp_path  # noqa: E402 (needs Django set up)
from apps.workflows.mcp.server import mcp_app  # noqa: E402


def build_application() -> Any:
    """Django, except ``/mcp/``: the MCP SDK's app, which also takes the lifespan (its
    session manager runs once per app, so each server process builds its own)."""
    mcp_application = mcp_app()

    async def application(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan" or is_mcp_path(scope.get("path", "")):
            await mcp_application(scope, receive, send)
        else:
            await django_application(scope, receive, send)

    return application


application = build_application()
