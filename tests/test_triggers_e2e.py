"""Triggers with real processes: a web server whose broker is down, a worker, and beat."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.triggers.models import Trigger, TriggerFire, WebhookDelivery
from apps.triggers.services import trigger_secret_rotate
from apps.triggers.tests.factories import published_workflow
from apps.workflows.models import Execution
from tests.worker import ROOT, wait_for, worker_env


def process_env(**overrides: str) -> dict[str, str]:
    """The worker environment, pointed at the test database whatever the harness version."""
    from django.db import connection

    env = worker_env()
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{connection.settings_dict['NAME']}"
    return {**env, **overrides}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def web_server(**env_overrides: str):
    """gunicorn serving the test database on 127.0.0.1 (its own process, its own broker)."""
    port = free_port()
    env = process_env(**env_overrides)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "1",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:

        def up() -> bool:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
                return True
            except OSError:
                assert proc.poll() is None, "the web server exited"
                return False

        wait_for(up, timeout=30)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def send(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict, float]:
    request = urllib.request.Request(  # noqa: S310 (an http URL on 127.0.0.1 built above)
        url, data=body, method="POST", headers={"Content-Type": "application/json", **headers}
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read()), time.monotonic() - started
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}"), time.monotonic() - started


@pytest.mark.django_db(transaction=True)
def test_broker_down_still_accepts_and_the_execution_stays_queued(workspace, user):
    workflow = published_workflow(
        workspace=workspace,
        user=user,
        block_type="webhook_trigger",
        config={"verification": {"preset": "github"}},
    )
    trigger = Trigger.objects.get(workflow=workflow)
    trigger_secret_rotate(trigger=trigger, secret="broker-down-secret")
    body = b'{"action": "opened"}'
    headers = {
        "X-Hub-Signature-256": "sha256="
        + hmac.new(b"broker-down-secret", body, hashlib.sha256).hexdigest(),
        "X-GitHub-Delivery": "d-1",
    }
    # Nothing listens on port 1: every send to this broker fails.
    with web_server(CELERY_BROKER_URL="redis://127.0.0.1:1/0") as base:
        status, reply, took = send(f"{base}/hooks/{trigger.webhook_token}", body, headers)
        again, duplicate, _ = send(f"{base}/hooks/{trigger.webhook_token}", body, headers)
    assert status == 202, reply
    # The request never touches the broker (the dispatcher thread does, after the commit),
    # so a dead broker does not delay the answer; it took ~6 s when the request sent.
    assert took < 2, took
    execution = Execution.objects.get(pk=reply["execution_id"])
    assert execution.status == Execution.Status.QUEUED  # accepted: a worker claims it later
    # github signs no timestamp: its key is the body's hash (apps.triggers.replay).
    assert WebhookDelivery.objects.get(trigger=trigger).execution_id == execution.pk
    assert execution.input["delivery_id"] == "d-1"
    assert again == 200 and duplicate["execution_id"] == reply["execution_id"]
    assert Execution.objects.count() == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_webhook_runs_on_a_worker_and_wait_mode_answers_with_the_output(
    celery_worker, workspace, user, client
):
    workflow = published_workflow(
        workspace=workspace,
        user=user,
        block_type="webhook_trigger",
        config={"response": {"mode": "wait", "timeout_s": 25}},
    )
    trigger = Trigger.objects.get(workflow=workflow)
    response = client.post(
        f"/hooks/{trigger.webhook_token}", {"name": "Ada"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "succeeded"
    assert body["output"]["got"]["body"] == {"name": "Ada"}
    assert Execution.objects.get(pk=body["execution_id"]).status == "succeeded"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_beat_and_worker_fire_a_schedule_once(celery_worker, workspace, user):
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every, _ = IntervalSchedule.objects.get_or_create(every=1, period="seconds")
    PeriodicTask.objects.update_or_create(
        name="Trigger tick (schedules and polling)",
        defaults={
            "task": "triggers.tick",
            "interval": every,
            "queue": "triggers",
            "expire_seconds": 5,
            "enabled": True,
        },
    )
    workflow = published_workflow(
        workspace=workspace, user=user, block_type="schedule_trigger", config={"cron": "* * * * *"}
    )
    trigger = Trigger.objects.get(workflow=workflow)
    due = timezone.now() + timedelta(seconds=2)
    Trigger.objects.filter(pk=trigger.pk).update(next_fire_at=due)
    beat = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "beat",
            "--loglevel",
            "INFO",
            "-S",
            "django_celery_beat.schedulers:DatabaseScheduler",
            "--pidfile=",
        ],
        cwd=ROOT,
        env=process_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        fire = wait_for(lambda: TriggerFire.objects.filter(trigger=trigger).first(), timeout=45)
        assert fire.scheduled_for == due
        assert fire.outcome == "fired" and fire.execution_id is not None
        time.sleep(3)  # more ticks run meanwhile: none of them fires this minute again
        assert TriggerFire.objects.filter(trigger=trigger, scheduled_for=due).count() == 1
        wait_for(
            lambda: Execution.objects.filter(pk=fire.execution_id, status="succeeded").exists(),
            timeout=30,
        )
    finally:
        beat.terminate()
        beat.wait(timeout=20)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_wait_mode_answers_with_the_webhook_response_block(celery_worker, workspace, user, client):
    from apps.workflows.services import workflow_create, workflow_publish

    graph = {
        "nodes": [
            {
                "id": "hook",
                "type": "webhook_trigger",
                "position": {"x": 0, "y": 0},
                "data": {"config": {"response": {"mode": "wait", "timeout_s": 25}}},
            },
            {
                "id": "reply",
                "type": "webhook_response",
                "position": {"x": 240, "y": 0},
                "data": {
                    "config": {
                        "status": 201,
                        "headers": {"X-Greeting": "yes"},
                        "body": {"hello": "{{ trigger.body.name }}"},
                    }
                },
            },
        ],
        "edges": [{"id": "e1", "source": "hook", "target": "reply"}],
    }
    workflow = workflow_create(workspace=workspace, name="reply", graph=graph, created_by=user)
    workflow_publish(workflow=workflow, published_by=user)
    trigger = Trigger.objects.get(workflow=workflow)
    response = client.post(
        f"/hooks/{trigger.webhook_token}", {"name": "Ada"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json() == {"hello": "Ada"}
    assert response["X-Greeting"] == "yes"
