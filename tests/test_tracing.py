"""OpenTelemetry traces, end to end: a signed webhook accepted by a real gunicorn, run by a real
worker whose HTTP step calls a local server with a bearer credential, arrives at a real OTLP/HTTP
receiver as one trace: web request -> workflow.execute -> block.execute -> api.call, from two
processes, with no secret in any span. Schedule fires and polls start the traces their runs
continue. Off (no endpoint, or OTEL_TRACES_EXPORTER=none) nothing is sent and the tracing SDK is
not even imported."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta
from itertools import pairwise
from typing import Any

import pytest
from django.utils import timezone

from apps.connectors.outbound.testing import LocalServer, Reply
from apps.core.redaction import redact
from apps.credentials.services import credential_create
from apps.triggers.models import Trigger
from apps.triggers.services import trigger_secret_rotate
from apps.triggers.tests.factories import published_workflow
from apps.workflows.models import Execution
from apps.workflows.services import execution_create, workflow_create, workflow_publish
from apps.workflows.tests.factories import WorkflowFactory
from tests.otlp import ReceivedSpan, otlp_receiver
from tests.test_triggers_e2e import send, web_server
from tests.worker import run_django_script, running_worker, wait_for

CANARY = "tok-TRACECANARY-5d0e7f13a9"  # the bearer credential's token
HOOK_SECRET = "hook-TRACECANARY-secret"
QUERY_KEY = "qk-TRACECANARY-77aa01"  # a key written into the step's URL by hand
HOOK_ROUTE = "hooks/<str:token>"
SERVER, CLIENT = 2, 3  # OTLP SpanKind values


def node(id_: str, type_: str, **config: Any) -> dict[str, Any]:
    return {"id": id_, "type": type_, "position": {"x": 0, "y": 0}, "data": {"config": config}}


def hook_workflow(workspace, user, *, steps: list[dict[str, Any]]) -> Trigger:
    """A published workflow started by a github-signed webhook, then `steps` in a chain."""
    nodes = [node("hook", "webhook_trigger", verification={"preset": "github"}), *steps]
    edges = [
        {"id": f"e{i}", "source": a["id"], "target": b["id"]}
        for i, (a, b) in enumerate(pairwise(nodes))
    ]
    workflow = workflow_create(
        workspace=workspace, name="traced", created_by=user, graph={"nodes": nodes, "edges": edges}
    )
    workflow_publish(workflow=workflow, published_by=user)
    trigger = Trigger.objects.get(workflow=workflow)
    trigger_secret_rotate(trigger=trigger, secret=HOOK_SECRET)
    return trigger


def signed(body: bytes) -> dict[str, str]:
    return {
        "X-Hub-Signature-256": "sha256="
        + hmac.new(HOOK_SECRET.encode(), body, hashlib.sha256).hexdigest(),
        "X-GitHub-Delivery": hashlib.sha256(body).hexdigest()[:16],
    }


def only(spans: list[ReceivedSpan]) -> ReceivedSpan:
    assert len(spans) == 1, spans
    return spans[0]


def test_a_webhook_started_run_is_one_trace_across_web_and_worker(own_workers, workspace, user):
    with LocalServer() as peer, otlp_receiver() as receiver:
        peer.route(
            "/orders",
            Reply(status=200, headers={"Content-Type": "application/json"}, body=b'{"ok": true}'),
        )
        credential = credential_create(
            workspace=workspace, actor=user, name="peer", kind="bearer", secret={"token": CANARY}
        )
        trigger = hook_workflow(
            workspace,
            user,
            steps=[
                node(
                    "call",
                    "http_request",
                    url=peer.url(f"/orders?api_key={QUERY_KEY}"),
                    credential_id=str(credential.pk),
                ),
                node("out", "set_output", values={"ok": "{{ nodes.call.output.body.ok }}"}),
            ],
        )
        otel = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100"}
        body = b'{"order": 42}'
        with (
            web_server(**otel, OTEL_SERVICE_NAME="flowplane-web") as base,
            running_worker(
                env={
                    **otel,
                    "OTEL_SERVICE_NAME": "flowplane-worker",
                    "OUTBOUND_ALLOWLIST": "127.0.0.1",
                }
            ),
        ):
            status, reply, _ = send(f"{base}/hooks/{trigger.webhook_token}", body, signed(body))
            assert status == 202, reply
            execution_id = reply["execution_id"]
            wait_for(lambda: Execution.objects.filter(pk=execution_id, status="succeeded").exists())
            wait_for(
                lambda: (
                    len(receiver.named("block.execute")) == 3
                    and receiver.named("api.call")
                    and receiver.named("workflow.execute")
                )
            )

        # The peer was called with the credential: the canary was in play.
        assert peer.requests[0].headers["Authorization"] == f"Bearer {CANARY}"
        web = only([s for s in receiver.spans if s.attributes.get("http.route") == HOOK_ROUTE])
        run = only(receiver.named("workflow.execute"))
        steps = {s.attributes["flowplane.node.id"]: s for s in receiver.named("block.execute")}
        api = only(receiver.named("api.call"))

        # One trace, parent by parent: request -> run -> the HTTP step -> its call.
        assert {s.trace_id for s in (web, run, api, *steps.values())} == {web.trace_id}
        assert run.parent_span_id == web.span_id
        assert {s.parent_span_id for s in steps.values()} == {run.span_id}
        assert api.parent_span_id == steps["call"].span_id
        # Sent by two processes, each with its own provider.
        assert web.resource["service.name"] == "flowplane-web"
        assert {s.resource["service.name"] for s in (run, api, *steps.values())} == {
            "flowplane-worker"
        }
        assert web.resource["process.pid"] != run.resource["process.pid"]
        assert Execution.objects.get(pk=execution_id).trace_context.split("-")[1:3] == [
            web.trace_id,
            web.span_id,
        ]

        workflow_id = str(trigger.workflow_id)
        assert (web.name, web.kind) == (f"POST {HOOK_ROUTE}", SERVER)
        assert web.attributes["http.response.status_code"] == 202
        assert run.attributes["flowplane.workflow.id"] == workflow_id
        assert run.attributes["flowplane.workflow.version"] == 1
        assert run.attributes["flowplane.execution.id"] == execution_id
        assert run.attributes["flowplane.execution.mode"] == "webhook"
        assert run.attributes["flowplane.execution.status"] == "succeeded"
        assert {
            (
                n,
                s.attributes["flowplane.block.type"],
                s.attributes["flowplane.block.version"],
                s.attributes["flowplane.step.status"],
            )
            for n, s in steps.items()
        } == {
            ("hook", "webhook_trigger", 1, "succeeded"),
            ("call", "http_request", 1, "succeeded"),
            ("out", "set_output", 1, "succeeded"),
        }
        assert api.kind == CLIENT
        assert api.attributes["flowplane.connector"] == "http"
        assert api.attributes["flowplane.endpoint"] == f"http://127.0.0.1:{peer.port}"
        assert api.attributes["http.request.method"] == "GET"
        assert api.attributes["http.response.status_code"] == 200

        # No secret, nor an encoding of one, in any span of any process.
        secrets = [CANARY, HOOK_SECRET, QUERY_KEY, trigger.webhook_token]
        everything = json.dumps([(s.name, s.attributes, s.resource) for s in receiver.spans])
        assert redact(everything, secrets) == everything


OFF_SCRIPT = """
import json, sys
from django.test import Client
from apps.observability.tracing import span, tracing_shutdown
answer = Client(SERVER_NAME="127.0.0.1").post({path!r}, {body!r},
                                             content_type="application/json", **{headers!r})
with span("probe") as probe:
    recording = probe.is_recording()
tracing_shutdown()
print(json.dumps({{"status": answer.status_code, "recording": recording,
                  "sdk": any(m.startswith(("opentelemetry.sdk.trace", "opentelemetry.exporter"))
                             for m in sys.modules)}}))
"""


@pytest.mark.parametrize(
    ("otel", "on"),
    [
        ({}, False),
        ({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "{endpoint}"}, False),
        ({"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "{endpoint}"}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "{endpoint}"}, True),  # the same process, on
    ],
    ids=["unset", "exporter-none", "sdk-disabled", "endpoint-set"],
)
def test_tracing_is_off_unless_an_endpoint_is_set(transactional_db, workspace, user, otel, on):
    trigger = hook_workflow(workspace, user, steps=[])
    body = json.dumps({"n": 1})
    script = OFF_SCRIPT.format(
        path=f"/hooks/{trigger.webhook_token}",
        body=body,
        headers={
            f"HTTP_{k.upper().replace('-', '_')}": v for k, v in signed(body.encode()).items()
        },
    )
    with otlp_receiver() as receiver:
        env = {k: v.format(endpoint=receiver.endpoint) for k, v in otel.items()}
        result = json.loads(run_django_script(script, **env).strip().splitlines()[-1])
    assert result["status"] == 202
    execution = Execution.objects.get(trigger=trigger)
    # Off, the tracing SDK is never loaded (redis-py loads opentelemetry.sdk.metrics itself).
    assert result["sdk"] is on and result["recording"] is on
    assert bool(receiver.spans) is on
    assert bool(execution.trace_context) is on  # nothing to continue in the worker
    if on:
        web = only([s for s in receiver.spans if s.attributes.get("http.route") == HOOK_ROUTE])
        assert execution.trace_context.split("-")[1] == web.trace_id


def test_each_schedule_fire_starts_the_trace_its_run_continues(transactional_db, workspace, user):
    workflow = published_workflow(
        workspace=workspace, user=user, block_type="schedule_trigger", config={"cron": "* * * * *"}
    )
    trigger = Trigger.objects.get(workflow=workflow)
    Trigger.objects.filter(pk=trigger.pk).update(next_fire_at=timezone.now() - timedelta(seconds=1))
    script = (
        "from apps.observability.tracing import tracing_shutdown\n"
        "from apps.triggers.scheduler import trigger_tick\n"
        "print(trigger_tick().fired)\n"
        "tracing_shutdown()\n"
    )
    with otlp_receiver() as receiver:
        fired = run_django_script(script, OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint)
    assert fired.strip().splitlines()[-1] == "1"
    fire = only(receiver.named("trigger.fire"))
    assert fire.attributes["flowplane.trigger.id"] == str(trigger.pk)
    assert fire.parent_span_id == ""  # its own trace, not the tick's
    traceparent = Execution.objects.get(trigger=trigger).trace_context
    assert traceparent.split("-")[1:3] == [fire.trace_id, fire.span_id]


def test_a_poll_its_call_and_the_runs_it_starts_are_one_trace(transactional_db, workspace, user):
    with LocalServer() as feed, otlp_receiver() as receiver:
        feed.route(
            "/items",
            Reply(
                status=200,
                headers={"Content-Type": "application/json"},
                body=json.dumps({"items": [{"id": "a"}]}).encode(),
            ),
        )
        workflow = published_workflow(
            workspace=workspace,
            user=user,
            block_type="poll_trigger",
            config={
                "source": {"kind": "http", "url": feed.url("/items")},
                "items_path": "items",
                "interval_s": 60,
            },
        )
        trigger = Trigger.objects.get(workflow=workflow)
        Trigger.objects.filter(pk=trigger.pk).update(cursor={"baseline": True})
        script = (
            "from apps.observability.tracing import tracing_shutdown\n"
            "from apps.triggers.tasks import poll_trigger_task\n"
            f"print(poll_trigger_task({str(trigger.pk)!r})['started'])\n"
            "tracing_shutdown()\n"
        )
        started = run_django_script(
            script,
            OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint,
            OUTBOUND_ALLOWLIST=f"127.0.0.1:{feed.port}",
        )
    assert started.strip().splitlines()[-1] == "1"
    poll, call = only(receiver.named("trigger.poll")), only(receiver.named("api.call"))
    assert poll.attributes["flowplane.trigger.id"] == str(trigger.pk)
    assert call.parent_span_id == poll.span_id and call.trace_id == poll.trace_id
    traceparent = Execution.objects.get(trigger=trigger).trace_context
    assert traceparent.split("-")[1:3] == [poll.trace_id, poll.span_id]


def test_a_pool_child_sends_its_last_spans_when_it_exits(own_workers, workspace, user):
    workflow = WorkflowFactory(
        workspace=workspace,
        graph={
            "nodes": [
                node("start", "manual_trigger"),
                node("shape", "transform", mapping={"a": 1}),
            ],
            "edges": [{"id": "e", "source": "start", "target": "shape"}],
        },
    )
    workflow_publish(workflow=workflow, published_by=user)
    workflow.refresh_from_db()
    with otlp_receiver() as receiver:
        # Batches are due only after a minute: what arrives was sent when the child exited.
        with running_worker(
            concurrency=1,
            env={
                "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
                "OTEL_BSP_SCHEDULE_DELAY": "60000",
            },
        ):
            execution = execution_create(workflow=workflow, mode=Execution.Mode.MANUAL)
            wait_for(lambda: Execution.objects.filter(pk=execution.pk, status="succeeded").exists())
            assert receiver.spans == []
        run = only(receiver.named("workflow.execute"))
    assert run.attributes["flowplane.execution.id"] == str(execution.pk)
    assert run.parent_span_id == ""  # accepted outside any span: the run starts the trace


def test_a_call_over_another_http_stack_is_an_api_call_span(transactional_db):
    """``guarded`` (an MCP session's calls) is traced as ``request`` is: one client span a
    call, a failure marked with its error's type."""
    script = (
        "from apps.connectors.outbound import OutboundConnectionError\n"
        "from apps.credentials.resolver import outbound_http\n"
        "from apps.observability.tracing import tracing_shutdown\n"
        "client = outbound_http()\n"
        "print(client.guarded('http://127.0.0.1:9/mcp/', lambda: 'answered'))\n"
        "def refused():\n"
        "    raise OutboundConnectionError('refused')\n"
        "try:\n"
        "    client.guarded('http://127.0.0.1:9/mcp/', refused)\n"
        "except OutboundConnectionError:\n"
        "    print('raised')\n"
        "tracing_shutdown()\n"
    )
    with otlp_receiver() as receiver:
        printed = run_django_script(
            script, OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint, OUTBOUND_ALLOWLIST="127.0.0.1:9"
        )
    assert printed.split() == ["answered", "raised"]
    ok, failed = receiver.named("api.call")
    assert ok.kind == failed.kind == CLIENT
    assert ok.attributes["http.request.method"] == "POST"
    assert ok.attributes["flowplane.endpoint"] == "http://127.0.0.1:9"
    assert ok.attributes["http.response.status_code"] == 200
    assert "http.response.status_code" not in failed.attributes
    assert failed.attributes["error.type"] == "OutboundConnectionError"
    assert failed.status_code == 2  # ERROR
