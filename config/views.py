"""Platform-level pages: liveness, readiness and the page that hosts the single-page app."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie

from config.celery import app as celery_app


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """The process is alive and serving; says nothing about its dependencies."""
    return JsonResponse({"status": "ok"})


def _database_ok() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "not ready"; the reason goes to the caller
        return type(exc).__name__
    return None


def _broker_ok() -> str | None:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return type(exc).__name__
    return None


@never_cache
def ready(request: HttpRequest) -> JsonResponse:
    """200 when the database and the broker answer; 503 naming the part that does not."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    failing = {name: reason for name, reason in checks.items() if reason}
    body = {
        "status": "unavailable" if failing else "ready",
        "checks": {
            name: ("ok" if reason is None else f"failing: {reason}")
            for name, reason in checks.items()
        },
    }
    if failing:
        body["failing"] = sorted(failing)
    return JsonResponse(body, status=503 if failing else 200)


@never_cache
@ensure_csrf_cookie
@login_required
def spa(request: HttpRequest, path: str = "") -> HttpResponse:
    """Serve the built canvas app; its client-side router handles the rest of the path."""
    try:
        html = settings.SPA_INDEX.read_text()
    except FileNotFoundError:
        html = (
            "<!doctype html><title>Flowplane</title><p>The frontend is not built yet: "
            "run <code>make frontend</code>. The <a href='/api/docs/'>API</a> and the "
            "<a href='/admin/'>admin</a> work without it.</p>"
        )
    # Components that inject <style> (the expression editor) take the response's nonce here.
    nonce = getattr(request, "csp_nonce", "")
    html = html.replace("<head>", f'<head><meta name="csp-nonce" content="{nonce}">', 1)
    return HttpResponse(html)
