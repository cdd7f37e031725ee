import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django_application = get_wsgi_application()

from apps.workflows.mcp.wsgi import with_mcp  # noqa: E402 (needs Django set up)

# Django, except /mcp/: the MCP SDK's ASGI app (the one config/asgi.py serves) through
# a2wsgi, on one event loop per process, started by the process's first /mcp/ request.
application = with_mcp(django_application)
