"""`/metrics` for Prometheus."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST

from apps.observability.exposition import render


@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    """The platform's metrics; with METRICS_TOKEN set, only for `Authorization: Bearer` it."""
    token = settings.METRICS_TOKEN
    if token:
        offered = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if not hmac.compare_digest(offered.encode(), token.encode()):
            return HttpResponse(status=401, headers={"WWW-Authenticate": "Bearer"})
    return HttpResponse(render(), content_type=CONTENT_TYPE_LATEST)
