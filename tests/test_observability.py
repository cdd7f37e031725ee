"""Operating the platform, end to end: a real run on a real worker moves the metrics served
at /metrics by the web process, and the worker's log lines carry its execution and node ids."""

from __future__ import annotations

import json
import socket
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families
from rest_framework.test import APIClient

from apps.connectors.outbound.testing import LocalServer, Reply
from apps.observability import metrics
from apps.workflows.models import Execution
from apps.workflows.services import workflow_publish
from apps.workflows.tests.factories import WorkflowFactory
from apps.workspaces.services import api_token_create
from config.env import var_path
from tests.worker import running_worker, wait_for

pytestmark = pytest.mark.usefixtures("celery_worker")


@pytest.fixture
def server():
    """A real HTTP server on 127.0.0.1 answering /ok with a small JSON body."""
    with LocalServer() as local:
        local.route("/ok", Reply(200, {"Content-Type": "application/json"}, b'{"ok": true}'))
        yield local


def node(id_, type_, **config):
    return {"id": id_, "type": type_, "position": {"x": 0, "y": 0}, "data": {"config": config}}


def scrape(client) -> dict[tuple[str, frozenset], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def sample(samples, name, **labels) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_a_run_on_the_worker_moves_the_metrics_and_logs_its_ids(client, server, user, workspace):
    graph = {
        "nodes": [
            node("start", "manual_trigger"),
            node("call", "http_request", url=server.url("/ok")),
            node("shape", "transform", mapping={"ok": "{{ nodes.call.output }}"}),
        ],
        "edges": [
            {"id": "a", "source": "start", "target": "call"},
            {"id": "b", "source": "call", "target": "shape"},
        ],
    }
    workflow = WorkflowFactory(workspace=workspace, graph=graph)
    workflow_publish(workflow=workflow, published_by=user)
    _, token = api_token_create(user=user, name="metrics")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    log_path = var_path("test-worker.log")
    log_start = log_path.stat().st_size
    before = scrape(client)

    response = api.post(f"/api/v1/workflows/{workflow.id}/run/", {"input": {}}, format="json")
    assert response.status_code == 202, response.json()
    execution = wait_for(
        lambda: Execution.objects.filter(pk=response.json()["id"], status="succeeded").first()
    )

    # The worker wrote these samples; this (web) process adds every process's files up.
    after = scrape(client)
    mode = execution.mode
    assert (
        sample(after, "block_executions_total", block_type="transform", status="succeeded")
        == sample(before, "block_executions_total", block_type="transform", status="succeeded") + 1
    )
    assert (
        sample(
            after,
            "block_execution_duration_seconds_count",
            block_type="http_request",
            status="succeeded",
        )
        == sample(
            before,
            "block_execution_duration_seconds_count",
            block_type="http_request",
            status="succeeded",
        )
        + 1
    )
    assert (
        sample(after, "workflow_execution_duration_seconds_count", mode=mode, status="succeeded")
        == sample(
            before, "workflow_execution_duration_seconds_count", mode=mode, status="succeeded"
        )
        + 1
    )
    assert (
        sample(after, "api_call_duration_seconds_count", connector="http", status_class="2xx")
        == sample(before, "api_call_duration_seconds_count", connector="http", status_class="2xx")
        + 1
    )
    # Read from the database at scrape time; every unfinished status is always there.
    assert {labels for name, labels in after if name == "executions"} == {
        frozenset({("status", s)}) for s in ("queued", "running", "waiting")
    }
    # No id ever becomes a label.
    ids = {str(workflow.id), str(execution.id), str(workspace.id)}
    assert not any(value in ids for _, labels in after for _, value in labels)

    with log_path.open() as log:
        log.seek(log_start)
        lines = [json.loads(line) for line in log if line.startswith("{")]
    mine = [line for line in lines if line.get("execution_id") == str(execution.id)]
    call = [line for line in mine if line["event"] == "outbound.call_finished"]
    # Logged by the outbound client, which knows neither id: they come from the context.
    assert call and call[0]["node_id"] == "call"
    assert any(line["event"] == "execution.finished" for line in mine)


def test_a_worker_serves_its_processes_metrics_on_its_own_port(transactional_db):
    metrics.webhook_delivery("accepted")  # this process's file in the host's metrics folder
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # A queue nothing is sent to: this worker only has to be up.
    with (
        running_worker(
            queues="observability-test", concurrency=1, env={"WORKER_METRICS_PORT": str(port)}
        ),
        urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer,
    ):
        text = answer.read().decode()
    names = {family.name for family in text_string_to_metric_families(text)}
    # The files of every process on this host (this test process's included)...
    assert "webhook_deliveries" in names
    # ...but not the database counts, which only the web serves (scraped once, not per pod).
    assert "executions" not in names
