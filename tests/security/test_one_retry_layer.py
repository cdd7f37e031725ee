"""Issue 11, defect 8: one retry layer per outbound call, counted on a local server.

Before: the engine's attempts times the client's attempts (9 calls for one GET answering
500), a timeout retried inside every engine attempt, and a POST with no idempotency header
repeated with no key. Runs go through the platform's own execution path (execution_run).
"""

from __future__ import annotations

import time

import pytest

from apps.connectors.outbound.testing import LocalServer, Reply
from apps.workflows.models import Execution, ExecutionStep
from apps.workflows.runtime.run import execution_run
from apps.workflows.services import execution_create
from apps.workflows.tests.factories import WorkflowFactory

pytestmark = pytest.mark.django_db(transaction=True)
FAST_RETRIES = {"retry": {"max_attempts": 3, "backoff": "fixed", "base_s": 0.05}}


def _run(workspace, **config) -> ExecutionStep:
    graph = {
        "nodes": [
            {
                "id": "start",
                "type": "manual_trigger",
                "position": {"x": 0, "y": 0},
                "data": {"config": {}},
            },
            {
                "id": "call",
                "type": "http_request",
                "position": {"x": 1, "y": 0},
                "data": {"config": config, "policies": FAST_RETRIES},
            },
        ],
        "edges": [{"id": "e", "source": "start", "target": "call"}],
    }
    workflow = WorkflowFactory(workspace=workspace, graph=graph)
    execution = execution_create(workflow=workflow, mode=Execution.Mode.TEST, draft=True, input={})
    execution_run(execution_id=execution.pk)
    return ExecutionStep.objects.get(execution=execution, node_id="call")


@pytest.fixture
def server(settings):
    with LocalServer() as local:
        settings.OUTBOUND_ALLOWLIST = [f"127.0.0.1:{local.port}"]
        yield local


def test_a_get_answering_500_is_called_once_per_step_attempt(server, workspace):
    server.route("/down", Reply(500, body=b"down"))
    step = _run(workspace, url=server.url("/down"))
    assert step.status == "failed" and step.attempts == 3
    assert len(server.requests) == 3  # was 9: 3 engine attempts x 3 client attempts


def test_a_timeout_is_retried_by_the_step_only(server, workspace):
    server.route("/slow", Reply(200, body=b"late", delay=2.0))
    started = time.monotonic()
    step = _run(workspace, url=server.url("/slow"), timeout_s=1)
    took = time.monotonic() - started
    assert step.status == "failed" and step.error["code"] == "timeout"
    assert len(server.requests) == 3
    assert took < 6, took  # 3 attempts of 1 s and short back-offs, not 3 x 3


def test_a_post_without_an_idempotency_header_is_sent_once(server, workspace):
    server.route("/orders", Reply(502, body=b"bad gateway"))
    step = _run(
        workspace, url=server.url("/orders"), method="POST", body_type="json", body={"sku": 1}
    )
    assert step.status == "failed" and "idempotency" in step.error["message"]
    assert len(server.requests) == 1


def test_a_post_with_an_idempotency_header_is_retried_under_one_key(server, workspace):
    server.route("/orders", Reply(502, body=b"bad gateway"))
    step = _run(
        workspace,
        url=server.url("/orders"),
        method="POST",
        body_type="json",
        body={"sku": 1},
        idempotency_header="Idempotency-Key",
    )
    assert step.status == "failed" and step.attempts == 3
    keys = {r.headers.get("Idempotency-Key") for r in server.requests}
    assert len(server.requests) == 3 and len(keys) == 1 and None not in keys
