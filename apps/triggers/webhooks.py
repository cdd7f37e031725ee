"""Webhook ingest: find the trigger, limit, verify, then accept durably.

Accepting is one database transaction that writes the queued Execution and the
WebhookDelivery row; the 2xx is sent only after it commits. Nothing is sent to the broker
in the request: workers claim queued executions from the database (apps/workflows/runtime),
so accepting depends on the database alone, also while the broker is down. A
provider's delivery id is unique per trigger, so a redelivery answers with the first
delivery's execution instead of starting another run.
"""

from __future__ import annotations

import base64
import contextlib
import hmac
import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import jmespath
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from apps.triggers import required_headers
from apps.triggers.headers import headers_for_input
from apps.triggers.models import Trigger, WebhookDelivery
from apps.triggers.presets import preset_resolve
from apps.triggers.registry import trigger_registry
from apps.triggers.services import node_config, trigger_secret
from apps.triggers.signatures import verify
from apps.workflows.models import Execution, ExecutionStep
from apps.workflows.services import execution_build, executions_create_many
from apps.workspaces import json_boundary
from apps.workspaces.ratelimit import window_count
from apps.workspaces.request_meta import current_request_meta

logger = logging.getLogger(__name__)

RESPONSE_BLOCK = "webhook_response"
WAIT_POLL_S = 0.05
MAX_ECHO = 1024  # longest challenge echoed back (text/plain, nosniff)


@dataclass
class HookTarget:
    trigger: Trigger
    config: dict[str, Any]
    preset: dict[str, Any]
    test: bool
    secret: str | None = None


@dataclass
class Accepted:
    execution_id: Any
    delivery_id: str | None
    duplicate: bool = False


@dataclass
class HookReply:
    status: int
    body: Any = None
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


# Live targets are kept per process for a moment: the hot path then costs no lookup query.
# A deactivated or re-configured trigger is seen within TARGET_TTL_S.
TARGET_TTL_S = 2.0
_targets: dict[str, tuple[float, HookTarget | None]] = {}


def webhook_target(*, token: str, test: bool) -> HookTarget | None:
    """The trigger behind a URL token: the live one, or (test URL) the draft's node config."""
    if not token or len(token) > 64:
        return None
    if not test:
        cached = _targets.get(token)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]  # misses are cached too: unknown tokens cost no query each
    lookup = (
        {"test_token": token, "test_token_expires_at__gt": timezone.now()}
        if test
        else {"webhook_token": token, "is_active": True}
    )
    trigger = (
        Trigger.objects.select_related("workflow")
        .filter(kind=Trigger.Kind.WEBHOOK, **lookup)
        .first()
    )
    if trigger is None or (not test and trigger.workflow.published_version_id is None):
        if not test:
            _remember(token, None)
        return None
    if test:
        node = next(
            (
                n
                for n in (trigger.workflow.graph or {}).get("nodes", [])
                if n.get("id") == trigger.node_id
            ),
            None,
        )
        spec = trigger_registry.for_block(str(node.get("type"))) if node else None
        if node is None or spec is None or not spec.webhook:
            return None
        config = node_config(node, spec)
    else:
        config = trigger.config
    target = HookTarget(
        trigger=trigger,
        config=config,
        test=test,
        preset=preset_resolve(config.get("verification") or {}),
    )
    if not test:
        target.secret = trigger_secret(trigger=trigger)
        _remember(token, target)
    return target


def _remember(token: str, target: HookTarget | None) -> None:
    if len(_targets) > 10000:
        _targets.clear()
    _targets[token] = (time.monotonic() + TARGET_TTL_S, target)


def webhook_targets_forget() -> None:
    """Drop the per-process cache (tests; a deactivation is otherwise seen within the TTL)."""
    _targets.clear()


def webhook_target_forget(token: str | None) -> None:
    """Drop one URL from this process's cache (the switch was flipped here: seen at once;
    other processes see it within ``TARGET_TTL_S``)."""
    if token:
        _targets.pop(token, None)


def webhook_rate_limited(*, target: HookTarget, now: float | None = None) -> int | None:
    """Seconds to wait when the trigger's window is full (a shared fixed window), else None."""
    rule = target.config.get("rate_limit") or {}
    limit, per = int(rule.get("limit", 6000)), int(rule.get("per_s", 60))
    now = now if now is not None else time.time()
    window = int(now // per)
    count = window_count(f"triggers:rl:{target.trigger.pk}:{int(target.test)}:{window}", per + 1)
    if count <= limit:
        return None
    return max(1, math.ceil((window + 1) * per - now))


def webhook_challenge(
    *, target: HookTarget, method: str, query: Mapping[str, str], body: Any
) -> HookReply | None:
    """A handshake answer the trigger asked for, or None when this is a delivery.

    ``body`` is the parsed body (verified already for ``slack_url_verification``).
    """
    enabled = set(target.config.get("challenges") or []) | set(
        target.preset.get("challenges") or []
    )
    if "hub_challenge" in enabled and method == "GET" and "hub.challenge" in query:
        expected = target.config.get("hub_verify_token")

        given = query.get("hub.verify_token", "")
        if query.get("hub.mode") != "subscribe" or (
            expected and not hmac.compare_digest(given.encode(), expected.encode())
        ):
            return HookReply(403, {"type": "challenge_failed", "detail": "Verify token mismatch."})
        return HookReply(200, query["hub.challenge"][:MAX_ECHO], content_type="text/plain")
    if "validation_token" in enabled and "validationToken" in query:
        return HookReply(200, query["validationToken"][:MAX_ECHO], content_type="text/plain")
    if (
        "slack_url_verification" in enabled
        and isinstance(body, dict)
        and body.get("type") == "url_verification"
        and "challenge" in body
    ):
        return HookReply(200, {"challenge": body["challenge"]})
    return None


def webhook_verify(*, target: HookTarget, headers: Mapping[str, str], body: bytes) -> None:
    """Raise SignatureInvalid unless the raw body is signed as the preset says."""
    if not target.preset.get("signature"):
        return
    secret = target.secret if target.secret is not None else trigger_secret(trigger=target.trigger)
    verify(target.preset, secret=secret, headers=headers, body=body)


def webhook_header_refused(*, target: HookTarget, headers: Mapping[str, str]) -> str | None:
    """The name of a required header that is missing or wrong (the trigger's ``headers``)."""
    return required_headers.refused(target.config.get("headers") or [], headers)


def parse_body(content_type: str, raw: bytes) -> tuple[Any, str]:
    """(body, kind) for JSON, form, text or raw (base64) bodies; ValueError if malformed."""
    media = content_type.split(";")[0].strip().lower()
    if not raw:
        return None, "empty"
    if media == "application/json" or media.endswith("+json"):
        return json_boundary.loads(raw), "json"
    if media == "application/x-www-form-urlencoded":
        form: dict[str, Any] = {}
        for key, value in parse_qsl(raw.decode("utf-8"), keep_blank_values=True):
            if key in form:
                form[key] = (
                    [*form[key], value] if isinstance(form[key], list) else [form[key], value]
                )
            else:
                form[key] = value
        return form, "form"
    if media.startswith("text/") or media in ("application/xml", ""):
        try:
            return raw.decode("utf-8"), "text"
        except UnicodeDecodeError:
            pass

    return base64.b64encode(raw).decode(), "base64"


def delivery_id_of(preset: Mapping[str, Any], headers: Mapping[str, str], body: Any) -> str | None:
    """The provider's delivery id (header, or a JMESPath into a JSON body), if any."""
    spec = preset.get("delivery_id") or {}
    value: Any = None
    if "header" in spec:
        value = headers.get(spec["header"])
    if value is None and "body" in spec and isinstance(body, dict):
        value = jmespath.search(spec["body"], body)
    if value is None or value == "":
        return None
    return str(value)[:190]


def webhook_accept(
    *,
    target: HookTarget,
    method: str,
    headers: Mapping[str, str],
    query: Mapping[str, Any],
    body: Any,
    body_kind: str,
    content_type: str,
    delivery_id: str | None,
    replay_key: str | None = None,
) -> Accepted:
    """Write the delivery and its queued execution in one transaction (or find the first).

    ``replay_key`` (apps.triggers.replay) replaces the provider's id as the unique key."""
    trigger = target.trigger
    unique = replay_key or delivery_id
    key = f"test:{unique}" if (target.test and unique) else unique
    payload = {
        "method": method,
        "headers": headers_for_input(
            headers, required_headers.names(target.config.get("headers") or [])
        ),
        "query": dict(query),
        "body": body,
        "body_kind": body_kind,
        "content_type": content_type,
        "delivery_id": delivery_id,
        "received_at": timezone.now().isoformat(),
        "test": target.test,
    }
    execution = execution_build(
        workflow=trigger.workflow,
        draft=target.test,
        trigger=trigger,
        input=payload,
        mode=Execution.Mode.TEST if target.test else Execution.Mode.WEBHOOK,
    )
    sender = current_request_meta()
    delivery = WebhookDelivery(
        trigger=trigger,
        delivery_id=key,
        execution=execution,
        test=target.test,
        ip_address=sender.ip_address,
        user_agent=sender.user_agent,
    )
    try:
        # Both rows in one round trip and one transaction; inside a caller's transaction a
        # savepoint keeps it usable after a duplicate delivery id.
        with transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext():
            executions_create_many(runs=[execution], also=[delivery])
    except IntegrityError:
        if key is None:
            raise
        first = (
            WebhookDelivery.objects.filter(trigger=trigger, delivery_id=key)
            .values_list("execution_id", flat=True)
            .first()
        )
        return Accepted(execution_id=first, delivery_id=delivery_id, duplicate=True)
    return Accepted(execution_id=execution.pk, delivery_id=delivery_id)


def webhook_wait(*, execution_id: Any, timeout_s: float) -> HookReply:
    """Wait for the workflow's answer: a ``webhook_response`` step, else its outcome.

    Engine contract: a succeeded ExecutionStep of block ``webhook_response`` whose output is
    ``{"status": int, "headers": {str: str}, "body": any}`` is the HTTP answer, even while
    the rest of the execution still runs; otherwise, once the execution has finished,
    ``succeeded`` answers 200 with its ``output`` and any other end answers 500. Nothing by
    the deadline answers 202 with the execution id, like the immediate mode.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        step = (
            ExecutionStep.objects.filter(
                execution_id=execution_id,
                block_type=RESPONSE_BLOCK,
                status=ExecutionStep.Status.SUCCEEDED,
            )
            .values("output")
            .first()
        )
        if step is not None:
            return _reply_from_step(step["output"])
        row = Execution.objects.filter(pk=execution_id).values("status", "output").first()
        if row and row["status"] in Execution.FINISHED:
            if row["status"] == Execution.Status.SUCCEEDED:
                return HookReply(
                    200,
                    {
                        "execution_id": str(execution_id),
                        "status": row["status"],
                        "output": row["output"],
                    },
                )
            return HookReply(500, {"execution_id": str(execution_id), "status": row["status"]})
        if time.monotonic() >= deadline:
            return HookReply(
                202,
                {
                    "status": "accepted",
                    "execution_id": str(execution_id),
                    "detail": "The workflow did not answer in time.",
                },
            )
        time.sleep(WAIT_POLL_S)


def _reply_from_step(output: Any) -> HookReply:
    output = output if isinstance(output, dict) else {}
    status = output.get("status", 200)
    status = status if isinstance(status, int) and 100 <= status <= 599 else 200
    headers = {
        str(k): str(v)
        for k, v in (output.get("headers") or {}).items()
        if str(k).lower() not in ("content-length", "transfer-encoding", "connection")
    }
    body = output.get("body")
    content_type = None
    for name in [n for n in headers if n.lower() == "content-type"]:
        content_type = headers.pop(name)
    if isinstance(body, str):
        return HookReply(status, body, content_type=content_type or "text/plain", headers=headers)
    return HookReply(status, body, content_type=content_type or "application/json", headers=headers)
