"""Webhook ingest: provider signatures made by independent code, challenges, limits, durable
accept and de-duplication of redeliveries."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime

import pytest
import stripe
from slack_sdk.signature import SignatureVerifier
from standardwebhooks.webhooks import Webhook as StandardWebhook

from apps.triggers.models import Trigger, WebhookDelivery
from apps.triggers.services import trigger_secret_rotate
from apps.triggers.tests.factories import published_workflow
from apps.triggers.webhooks import webhook_targets_forget
from apps.workflows.models import Execution

pytestmark = pytest.mark.django_db

GITHUB_DOCS_SECRET = "It's a Secret to Everybody"
GITHUB_DOCS_SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def make_hook(workspace, user, *, preset="none", secret=None, **config):
    config.setdefault("verification", {"preset": preset})
    workflow = published_workflow(
        workspace=workspace, user=user, block_type="webhook_trigger", config=config
    )
    trigger = Trigger.objects.get(workflow=workflow)
    if secret is not None:
        trigger_secret_rotate(trigger=trigger, secret=secret)
        trigger.refresh_from_db()
    return trigger


def post(client, trigger, body: bytes, *, content_type="application/json", test=False, **headers):
    token = trigger.test_token if test else trigger.webhook_token
    path = f"/hooks/test/{token}" if test else f"/hooks/{token}"
    return client.generic("POST", path, body, content_type=content_type, **headers)


def h(name: str) -> str:
    """A header name as Django's test client takes it."""
    return "HTTP_" + name.upper().replace("-", "_")


# --- verification presets ------------------------------------------------------------------


def test_github_docs_vector_is_accepted(
    client, workspace, user, django_capture_on_commit_callbacks
):
    trigger = make_hook(workspace, user, preset="github", secret=GITHUB_DOCS_SECRET)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post(
            client,
            trigger,
            b"Hello, World!",
            content_type="text/plain",
            **{
                h("X-Hub-Signature-256"): GITHUB_DOCS_SIGNATURE,
                h("X-GitHub-Delivery"): "72d3162e-cc78-11e3-81ab-4c9367dc0958",
            },
        )
    assert response.status_code == 202, response.content
    execution = Execution.objects.get(pk=response.json()["execution_id"])
    assert execution.status == Execution.Status.QUEUED
    assert execution.mode == Execution.Mode.WEBHOOK
    assert execution.version_id == trigger.workflow.published_version_id
    assert execution.input["body"] == "Hello, World!"
    assert execution.input["delivery_id"] == "72d3162e-cc78-11e3-81ab-4c9367dc0958"
    assert "x-hub-signature-256" in execution.input["headers"]
    assert len(callbacks) == 1  # workers are told on commit, not before


def test_github_hand_computed_signature_and_tampered_body(client, workspace, user):
    trigger = make_hook(workspace, user, preset="github", secret="gh-secret-123")
    body = json.dumps({"zen": "Design for failure.", "hook_id": 1}).encode()
    good = "sha256=" + hmac.new(b"gh-secret-123", body, hashlib.sha256).hexdigest()
    assert post(client, trigger, body, **{h("X-Hub-Signature-256"): good}).status_code == 202
    tampered = body.replace(b"failure", b"success")
    response = post(client, trigger, tampered, **{h("X-Hub-Signature-256"): good})
    assert response.status_code == 401
    assert response.json()["type"] == "signature_invalid"
    missing = post(client, trigger, body)
    assert missing.status_code == 401
    assert Execution.objects.count() == 1 and WebhookDelivery.objects.count() == 1


def test_raw_body_is_what_is_verified(client, workspace, user):
    """Re-serialising the JSON (spacing, key order) would break the signature: we must not."""
    trigger = make_hook(workspace, user, preset="hmac_sha256", secret="raw-body-secret")
    body = b'{"b": 1,   "a": [1,2]}'
    sig = hmac.new(b"raw-body-secret", body, hashlib.sha256).hexdigest()
    response = post(client, trigger, body, **{h("X-Signature-256"): sig})
    assert response.status_code == 202
    assert Execution.objects.get().input["body"] == {"b": 1, "a": [1, 2]}


def test_generic_sha1_with_custom_header(client, workspace, user):
    trigger = make_hook(
        workspace,
        user,
        secret="sha1-secret-xyz",
        verification={"preset": "hmac_sha1", "header": "X-Acme-Signature"},
    )
    body = b"ping"
    sig = "sha1=" + hmac.new(b"sha1-secret-xyz", body, hashlib.sha1).hexdigest()
    assert (
        post(
            client, trigger, body, content_type="text/plain", **{h("X-Acme-Signature"): sig}
        ).status_code
        == 202
    )
    assert (
        post(
            client, trigger, body, content_type="text/plain", **{h("X-Signature"): sig}
        ).status_code
        == 401
    )


def test_slack_signature_from_slack_sdk_and_window(client, workspace, user):
    secret = "8f742231b10e8888abcd99yyyzzz85a5"
    trigger = make_hook(workspace, user, preset="slack", secret=secret)
    body = json.dumps({"type": "event_callback", "event_id": "Ev123", "event": {"type": "x"}})
    now = str(int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=now, body=body)
    headers = {h("X-Slack-Signature"): signature, h("X-Slack-Request-Timestamp"): now}
    response = post(client, trigger, body.encode(), **headers)
    assert response.status_code == 202
    assert response.json()["delivery_id"] == "Ev123"
    old = str(int(time.time()) - 6 * 60)  # outside the 5-minute window, validly signed
    stale = SignatureVerifier(secret).generate_signature(timestamp=old, body=body)
    response = post(
        client,
        trigger,
        body.encode(),
        **{h("X-Slack-Signature"): stale, h("X-Slack-Request-Timestamp"): old},
    )
    assert response.status_code == 401
    assert "tolerance" in response.json()["detail"]


def test_slack_url_verification_challenge_is_answered_after_verification(client, workspace, user):
    secret = "slack-signing-secret"
    trigger = make_hook(workspace, user, preset="slack", secret=secret)
    challenge = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"  # Slack's docs example
    body = json.dumps({"token": "x", "challenge": challenge, "type": "url_verification"})
    now = str(int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=now, body=body)
    response = post(
        client,
        trigger,
        body.encode(),
        **{h("X-Slack-Signature"): signature, h("X-Slack-Request-Timestamp"): now},
    )
    assert response.status_code == 200
    assert response.json() == {"challenge": challenge}
    assert not Execution.objects.exists()
    unsigned = post(client, trigger, body.encode())
    assert unsigned.status_code == 401


def test_stripe_signature_from_stripe_library_with_tolerance(client, workspace, user):
    secret = "whsec_test_stripe_secret"
    trigger = make_hook(workspace, user, preset="stripe", secret=secret)
    payload = json.dumps(
        {
            "id": "evt_1NG8Du2eZvKYlo2CUI79vXWy",
            "object": "event",
            "type": "payment_intent.succeeded",
        }
    )
    stamp = int(time.time())
    v1 = stripe.WebhookSignature._compute_signature(f"{stamp}.{payload}", secret)
    header = f"t={stamp},v1=deadbeef,v1={v1},v0=ignored"
    # The stripe library itself accepts what we are about to send.
    stripe.Webhook.construct_event(payload, header, secret, tolerance=300)
    response = post(client, trigger, payload.encode(), **{h("Stripe-Signature"): header})
    assert response.status_code == 202, response.content
    assert response.json()["delivery_id"] == "evt_1NG8Du2eZvKYlo2CUI79vXWy"
    old = stamp - 301
    v1_old = stripe.WebhookSignature._compute_signature(f"{old}.{payload}", secret)
    response = post(
        client, trigger, payload.encode(), **{h("Stripe-Signature"): f"t={old},v1={v1_old}"}
    )
    assert response.status_code == 401


def test_standard_webhooks_signature_with_several_signatures(client, workspace, user):
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    trigger = make_hook(workspace, user, preset="standard_webhooks", secret=secret)
    payload = json.dumps({"type": "invoice.paid", "data": {"id": 7}})
    msg_id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    now = datetime.now(tz=UTC)
    signature = StandardWebhook(secret).sign(msg_id, now, payload)
    # A rotated sender signs with the old and the new secret: one valid one is enough.
    old_secret = "whsec_QUJDREVGR0hJSktMTU5PUFFSU1RVVldY"
    other = StandardWebhook(old_secret).sign(msg_id, now, payload)
    headers = {
        h("webhook-id"): msg_id,
        h("webhook-timestamp"): str(int(now.timestamp())),
        h("webhook-signature"): f"{other} {signature}",
    }
    response = post(client, trigger, payload.encode(), **headers)
    assert response.status_code == 202, response.content
    assert response.json()["delivery_id"] == msg_id
    headers[h("webhook-signature")] = other
    assert post(client, trigger, payload.encode(), **headers).status_code == 401


def test_generated_standard_webhooks_secret_is_whsec(workspace, user):
    trigger = make_hook(workspace, user, preset="standard_webhooks")
    secret = trigger_secret_rotate(trigger=trigger)
    assert secret.startswith("whsec_")
    # The independent library accepts our generated secret as a valid key.
    StandardWebhook(secret).sign("msg_1", datetime.now(tz=UTC), "{}")


# --- de-duplication and durable accept -----------------------------------------------------


def test_redelivery_with_the_same_provider_id_runs_once(client, workspace, user):
    trigger = make_hook(workspace, user, preset="github", secret="dedup-secret")
    body = b'{"action": "opened"}'
    sig = "sha256=" + hmac.new(b"dedup-secret", body, hashlib.sha256).hexdigest()
    headers = {h("X-Hub-Signature-256"): sig, h("X-GitHub-Delivery"): "delivery-1"}
    first = post(client, trigger, body, **headers)
    second = post(client, trigger, body, **headers)
    assert first.status_code == 202
    assert second.status_code == 200
    assert second.json()["status"] == "duplicate"
    assert second.json()["execution_id"] == first.json()["execution_id"]
    assert Execution.objects.count() == 1 and WebhookDelivery.objects.count() == 1
    # The delivery id is not signed: the same signed body under a new id is a replay
    # (tests/security/test_webhook_replay.py); a new body under a new id runs.
    headers[h("X-GitHub-Delivery")] = "delivery-2"
    assert post(client, trigger, body, **headers).status_code == 200
    body = b'{"action": "closed"}'
    headers[h("X-Hub-Signature-256")] = (
        "sha256=" + hmac.new(b"dedup-secret", body, hashlib.sha256).hexdigest()
    )
    assert post(client, trigger, body, **headers).status_code == 202
    assert Execution.objects.count() == 2


def test_deliveries_without_an_id_each_run(client, workspace, user):
    trigger = make_hook(workspace, user)
    for _ in range(3):
        assert post(client, trigger, b"{}").status_code == 202
    assert Execution.objects.count() == 3
    assert WebhookDelivery.objects.filter(delivery_id__isnull=True).count() == 3


# --- challenges ------------------------------------------------------------------------------


def test_hub_challenge_get_with_verify_token(client, workspace, user):
    trigger = make_hook(
        workspace, user, challenges=["hub_challenge"], hub_verify_token="my-verify-token"
    )
    url = f"/hooks/{trigger.webhook_token}"
    ok = client.get(
        url,
        {
            "hub.mode": "subscribe",
            "hub.challenge": "1158201444",
            "hub.verify_token": "my-verify-token",
        },
    )
    assert ok.status_code == 200 and ok.content == b"1158201444"
    assert ok["Content-Type"].startswith("text/plain")
    bad = client.get(
        url, {"hub.mode": "subscribe", "hub.challenge": "1", "hub.verify_token": "wrong"}
    )
    assert bad.status_code == 403
    assert not Execution.objects.exists()


def test_validation_token_echo(client, workspace, user):
    trigger = make_hook(
        workspace,
        user,
        challenges=["validation_token"],
        preset="hmac_sha256",
        secret="ms-graph-secret",
    )
    response = client.post(
        f"/hooks/{trigger.webhook_token}?validationToken=Validation%3A+Testing",
        content_type="text/plain",
    )
    assert response.status_code == 200
    assert response.content == b"Validation: Testing"
    assert not Execution.objects.exists()


def test_challenges_are_off_unless_asked_for(client, workspace, user):
    trigger = make_hook(workspace, user)
    response = client.get(
        f"/hooks/{trigger.webhook_token}", {"hub.challenge": "1", "hub.mode": "subscribe"}
    )
    assert response.status_code == 405


# --- limits, methods, bodies ----------------------------------------------------------------


def test_method_not_allowed(client, workspace, user):
    trigger = make_hook(workspace, user, methods=["POST"])
    response = client.put(f"/hooks/{trigger.webhook_token}", b"{}", content_type="application/json")
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_body_too_large(client, workspace, user):
    trigger = make_hook(workspace, user, max_body_bytes=100)
    response = post(client, trigger, b"x" * 101, content_type="text/plain")
    assert response.status_code == 413
    assert post(client, trigger, b"x" * 100, content_type="text/plain").status_code == 202
    assert Execution.objects.count() == 1


def test_rate_limit_answers_429_with_retry_after(client, workspace, user):
    trigger = make_hook(workspace, user, rate_limit={"limit": 2, "per_s": 60})
    codes = [post(client, trigger, b"{}").status_code for _ in range(3)]
    assert codes == [202, 202, 429]
    response = post(client, trigger, b"{}")
    assert 1 <= int(response["Retry-After"]) <= 60
    assert Execution.objects.count() == 2


@pytest.mark.parametrize(
    ("content_type", "raw", "expected", "kind"),
    [
        ("application/json", b'{"a": 1}', {"a": 1}, "json"),
        ("application/vnd.api+json", b'{"a": 1}', {"a": 1}, "json"),
        ("application/x-www-form-urlencoded", b"a=1&b=2&b=3", {"a": "1", "b": ["2", "3"]}, "form"),
        ("text/plain; charset=utf-8", "héllo".encode(), "héllo", "text"),
        ("application/octet-stream", b"\x00\xff", "AP8=", "base64"),
    ],
)
def test_body_kinds(client, workspace, user, content_type, raw, expected, kind):
    trigger = make_hook(workspace, user)
    assert post(client, trigger, raw, content_type=content_type).status_code == 202
    payload = Execution.objects.get().input
    assert payload["body"] == expected and payload["body_kind"] == kind


def test_malformed_json_is_400_and_stores_nothing(client, workspace, user):
    trigger = make_hook(workspace, user)
    assert post(client, trigger, b"{nope").status_code == 400
    assert not Execution.objects.exists()


def test_unknown_and_inactive_tokens_are_404(client, workspace, user):
    trigger = make_hook(workspace, user)
    assert client.post("/hooks/not-a-token").status_code == 404
    assert post(client, trigger, b"{}").status_code == 202
    Trigger.objects.filter(pk=trigger.pk).update(is_active=False)
    webhook_targets_forget()  # a process sees the deactivation within TARGET_TTL_S anyway
    assert post(client, trigger, b"{}").status_code == 404


def test_test_url_runs_the_draft(client, workspace, user):
    trigger = make_hook(workspace, user)
    response = post(client, trigger, b'{"x": 1}', test=True)
    assert response.status_code == 202
    execution = Execution.objects.get()
    assert execution.mode == Execution.Mode.TEST
    assert execution.version_id is None and execution.draft_graph is not None
    assert execution.input["test"] is True


def test_wait_mode_times_out_with_202(client, workspace, user):
    trigger = make_hook(workspace, user, response={"mode": "wait", "timeout_s": 0.2})
    started = time.monotonic()
    response = post(client, trigger, b"{}")
    assert response.status_code == 202
    assert time.monotonic() - started >= 0.2
    assert response.json()["execution_id"]


def test_single_method_shorthand_from_the_architecture_example(client, workspace, user):
    trigger = make_hook(workspace, user, method="PUT")
    assert trigger.config["methods"] == ["PUT"]
    assert (
        client.put(
            f"/hooks/{trigger.webhook_token}", b"{}", content_type="application/json"
        ).status_code
        == 202
    )
    assert post(client, trigger, b"{}").status_code == 405


@pytest.mark.django_db(transaction=True)
def test_wait_mode_answers_with_the_webhook_response_step(client, workspace, user):
    """The engine contract, played by writing the step row a worker would write."""
    import threading

    from django.db import connection

    from apps.workflows.models import ExecutionStep

    trigger = make_hook(workspace, user, response={"mode": "wait", "timeout_s": 5})
    found: dict = {}

    def engine() -> None:
        try:
            for _ in range(100):
                execution = Execution.objects.filter(trigger=trigger).first()
                if execution is not None:
                    ExecutionStep.objects.create(
                        execution=execution,
                        node_id="reply",
                        block_type="webhook_response",
                        status="succeeded",
                        output={
                            "status": 201,
                            "headers": {"CONTENT-TYPE": "text/csv", "X-Run": "1"},
                            "body": "a,b\n1,2\n",
                        },
                    )
                    found["id"] = execution.pk
                    return
                time.sleep(0.02)
        finally:
            connection.close()

    worker = threading.Thread(target=engine)
    worker.start()
    response = post(client, trigger, b"{}")
    worker.join()
    assert response.status_code == 201, response.content
    assert response["Content-Type"] == "text/csv" and response["X-Run"] == "1"
    assert response.content == b"a,b\n1,2\n"
