"""The public webhook endpoints `/hooks/<token>` (published) and `/hooks/test/<token>` (draft).

A plain Django view rather than DRF: no authentication or content negotiation applies (the
URL token and the signature are the credentials) and the accept path is the platform's
hottest. The view maps outcomes to HTTP; the decisions are in ``apps.triggers.webhooks``.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from apps.core.exceptions import ApplicationError
from apps.observability import metrics
from apps.triggers import replay, webhooks
from apps.triggers.signatures import SignatureInvalid
from apps.workspaces import json_boundary

logger = logging.getLogger(__name__)
ALL_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _error(
    status: int,
    type_: str,
    detail: str,
    *,
    fields: dict[str, list[str]] | None = None,
    **headers: str,
) -> JsonResponse:
    body: dict[str, Any] = {"type": type_, "detail": detail}
    if fields:
        body["fields"] = fields
    response = JsonResponse(body, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _reply(reply: webhooks.HookReply) -> HttpResponse:
    if reply.content_type == "application/json" and not isinstance(reply.body, bytes | str):
        response = HttpResponse(
            json.dumps(reply.body), status=reply.status, content_type="application/json"
        )
    else:
        response = HttpResponse(
            reply.body if reply.body is not None else b"",
            status=reply.status,
            content_type=reply.content_type,
        )
    for name, value in reply.headers.items():
        response[name] = value
    return response


@csrf_exempt
def hook(request: HttpRequest, token: str) -> HttpResponse:
    return _guarded(request, token, test=False)


@csrf_exempt
def hook_test(request: HttpRequest, token: str) -> HttpResponse:
    return _guarded(request, token, test=True)


def _guarded(request: HttpRequest, token: str, *, test: bool) -> HttpResponse:
    """The database away (restarting, failing over): 503 with Retry-After, so senders retry
    later. Nothing was accepted: 2xx is only ever sent after the delivery's commit."""
    try:
        return _handle(request, token, test=test)
    except (OperationalError, InterfaceError):
        logger.warning("webhook.database_unavailable", exc_info=True)
        return _error(
            503, "unavailable", "The delivery cannot be stored now; retry later.", Retry_After="5"
        )


def _handle(request: HttpRequest, token: str, *, test: bool) -> HttpResponse:
    try:
        target = webhooks.webhook_target(token=token, test=test)
    except ApplicationError as exc:  # a misconfigured draft node (test URL)
        return _error(exc.status_code, exc.type, exc.detail)
    if target is None:
        metrics.webhook_delivery("not_found")
        return _error(404, "not_found", "No active webhook at this URL.")
    if not test and not target.trigger.enabled:
        # The URL is right but its owner switched the trigger off: say so (the sender may
        # resubmit once it is on again; 409, not 404, which reads as a wrong URL). Nothing
        # is stored and no handshake is answered.
        metrics.webhook_delivery("disabled")
        return _error(
            409,
            "trigger_disabled",
            "This webhook is switched off; the delivery was not stored.",
        )
    config = target.config
    method = request.method or "GET"
    query: dict[str, Any] = {k: (vs[0] if len(vs) == 1 else vs) for k, vs in request.GET.lists()}
    retry_after = webhooks.webhook_rate_limited(target=target)
    if retry_after is not None:
        metrics.webhook_delivery("rate_limited")
        return _error(
            429, "rate_limited", "Too many requests for this webhook.", Retry_After=str(retry_after)
        )
    # Handshakes that come unsigned (GET hub.challenge, validationToken) are answered first.
    if method == "GET" or "validationToken" in request.GET:
        reply = webhooks.webhook_challenge(
            target=target, method=method, query=request.GET, body=None
        )
        if reply is not None:
            return _reply(reply)
    allowed = config.get("methods") or ["POST"]
    if method not in allowed:
        metrics.webhook_delivery("invalid")
        response = _error(405, "method_not_allowed", f"This webhook accepts {', '.join(allowed)}.")
        response["Allow"] = ", ".join(allowed)
        return response
    limit = int(config.get("max_body_bytes", 1048576))
    try:
        too_large = (
            int(request.META.get("CONTENT_LENGTH") or 0) > limit or len(request.body) > limit
        )
    except (ValueError, RequestDataTooBig):
        too_large = True
    if too_large:
        metrics.webhook_delivery("too_large")
        return _error(413, "payload_too_large", f"The body is larger than {limit} bytes.")
    refused = webhooks.webhook_header_refused(target=target, headers=request.headers)
    if refused is not None:
        logger.info(
            "webhook.rejected",
            extra={
                "trigger_id": str(target.trigger.pk),
                "reason": "required_header",
                "header": refused,
            },
        )
        metrics.webhook_delivery("rejected_header")
        return _error(
            401, "header_invalid", f"Required header {refused!r} is missing or does not match."
        )
    raw = request.body
    try:
        webhooks.webhook_verify(target=target, headers=request.headers, body=raw)
    except SignatureInvalid as exc:
        logger.info(
            "webhook.rejected", extra={"trigger_id": str(target.trigger.pk), "reason": str(exc)}
        )
        metrics.webhook_delivery("rejected_signature")
        return _error(401, "signature_invalid", str(exc))
    content_type = request.content_type or ""
    try:
        body, kind = webhooks.parse_body(request.META.get("CONTENT_TYPE", ""), raw)
        # Form and text bodies and the query go into the run's input too: same boundary.
        json_boundary.check(body)
        json_boundary.check(query, where="query")
    except json_boundary.InvalidJSON as exc:
        metrics.webhook_delivery("invalid")
        return _error(400, exc.type, exc.detail, fields=exc.fields)
    except (ValueError, UnicodeDecodeError):
        metrics.webhook_delivery("invalid")
        return _error(400, "parse_error", "The body does not match its Content-Type.")
    reply = webhooks.webhook_challenge(target=target, method=method, query={}, body=body)
    if reply is not None:
        return _reply(reply)
    replay_key = replay.replay_key(preset=target.preset, body=raw)
    if replay_key is not None:
        replay.replay_window_slide(trigger=target.trigger, key=replay_key, test=target.test)
    accepted = webhooks.webhook_accept(
        target=target,
        method=method,
        headers=request.headers,
        query=query,
        body=body,
        body_kind=kind,
        content_type=content_type,
        delivery_id=webhooks.delivery_id_of(target.preset, request.headers, body),
        replay_key=replay_key,
    )
    if accepted.duplicate:
        metrics.webhook_delivery("duplicate")
        return JsonResponse(
            {
                "status": "duplicate",
                "execution_id": str(accepted.execution_id),
                "delivery_id": accepted.delivery_id,
            },
            status=200,
        )
    metrics.webhook_delivery("accepted")
    response_mode = config.get("response") or {}
    if response_mode.get("mode") == "wait":
        return _reply(
            webhooks.webhook_wait(
                execution_id=accepted.execution_id,
                timeout_s=float(response_mode.get("timeout_s", 10)),
            )
        )
    return JsonResponse(
        {
            "status": "accepted",
            "execution_id": str(accepted.execution_id),
            "delivery_id": accepted.delivery_id,
        },
        status=202,
    )
