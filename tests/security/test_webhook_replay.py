"""Issue 11, defect 5: a captured request to a timestamp-free signature preset cannot be
replayed into new runs, with the same, a new or no delivery id. Signatures are computed here
with hmac/hashlib, never with the platform's signing code."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.triggers.models import Trigger, WebhookDelivery
from apps.triggers.presets import preset_resolve
from apps.triggers.replay import replay_key
from apps.triggers.services import trigger_secret_rotate
from apps.triggers.tests.factories import published_workflow
from apps.triggers.webhooks import webhook_targets_forget
from apps.workflows.models import Execution

pytestmark = pytest.mark.django_db
SECRET = "replay-secret-8d1f"


def _hex(algorithm, body: bytes) -> str:
    return hmac.new(SECRET.encode(), body, algorithm).hexdigest()


# preset -> (signature headers for a body, delivery-id header or None)
PRESETS = {
    "github": (
        lambda b: {"X-Hub-Signature-256": "sha256=" + _hex(hashlib.sha256, b)},
        "X-GitHub-Delivery",
    ),
    "shopify": (
        lambda b: {
            "X-Shopify-Hmac-Sha256": base64.b64encode(
                hmac.new(SECRET.encode(), b, hashlib.sha256).digest()
            ).decode()
        },
        "X-Shopify-Webhook-Id",
    ),
    "hmac_sha256": (lambda b: {"X-Signature-256": _hex(hashlib.sha256, b)}, "Idempotency-Key"),
    "hmac_sha1": (lambda b: {"X-Signature": "sha1=" + _hex(hashlib.sha1, b)}, "Idempotency-Key"),
}


def _meta(headers: dict[str, str]) -> dict[str, str]:
    return {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}


@pytest.fixture
def hook(workspace, user):
    def make(preset: str) -> Trigger:
        webhook_targets_forget()
        workflow = published_workflow(
            workspace=workspace,
            user=user,
            name=preset,
            block_type="webhook_trigger",
            config={"verification": {"preset": preset}},
        )
        trigger = Trigger.objects.get(workflow=workflow)
        trigger_secret_rotate(trigger=trigger, secret=SECRET)
        return trigger

    return make


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_a_captured_request_starts_one_run(client, hook, preset):
    trigger = hook(preset)
    sign, id_header = PRESETS[preset]
    body = b'{"order": 1, "total": "9.99"}'

    def send(delivery_id: str | None, payload: bytes = body):
        headers = sign(payload)
        if delivery_id is not None:
            headers[id_header] = delivery_id
        return client.post(
            f"/hooks/{trigger.webhook_token}",
            payload,
            content_type="application/json",
            **_meta(headers),
        )

    first = send("d-1")
    assert first.status_code == 202, first.content
    for delivery_id in ("d-1", "d-2-forged", None):
        replayed = send(delivery_id)
        assert replayed.status_code == 200, (delivery_id, replayed.content)
        assert replayed.json()["status"] == "duplicate"
        assert replayed.json()["execution_id"] == first.json()["execution_id"]
    assert Execution.objects.filter(trigger=trigger).count() == 1
    # A different signed body is a new delivery, id or not.
    assert send(None, b'{"order": 2}').status_code == 202
    assert Execution.objects.filter(trigger=trigger).count() == 2


def test_the_same_body_runs_again_after_the_window(client, hook, settings):
    trigger = hook("hmac_sha256")
    sign, _ = PRESETS["hmac_sha256"]
    body = b'{"ping": true}'
    url = f"/hooks/{trigger.webhook_token}"
    assert (
        client.post(url, body, content_type="application/json", **_meta(sign(body))).status_code
        == 202
    )
    WebhookDelivery.objects.filter(trigger=trigger).update(
        received_at=timezone.now() - timedelta(seconds=settings.TRIGGER_REPLAY_WINDOW_SECONDS + 1)
    )
    assert (
        client.post(url, body, content_type="application/json", **_meta(sign(body))).status_code
        == 202
    )
    assert Execution.objects.filter(trigger=trigger).count() == 2
    assert WebhookDelivery.objects.filter(trigger=trigger).count() == 2  # history is kept


def test_presets_with_a_signed_timestamp_keep_the_provider_id():
    # Stripe-style presets bound replays by their tolerance window: unchanged behaviour.
    assert replay_key(preset=preset_resolve({"preset": "stripe"}), body=b"x") is None
    assert replay_key(preset=preset_resolve({"preset": "none"}), body=b"x") is None
    assert replay_key(preset=preset_resolve({"preset": "github"}), body=b"x")
