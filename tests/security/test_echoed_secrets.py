"""Issue 11, defect 1: credentials a remote server echoes back are not stored in clear.

A local server echoes every request (headers, path and query, as JSON, as text and in a
response header). A run uses a bearer token, an X-Api-Key header, a query-string key and
Basic auth against it; a workspace viewer then reads the steps and the execution. Before the
fix, successful outputs held ``"authorization": "Bearer <token>"`` and the rest in clear.
"""

from __future__ import annotations

import base64
import json
from itertools import pairwise

import pytest

from apps.connectors.outbound.testing import LocalServer, Recorded, Reply
from apps.core.redaction import redact
from apps.workflows.models import Execution
from apps.workflows.runtime.run import execution_run
from apps.workflows.services import execution_create
from apps.workflows.tests.factories import WorkflowFactory
from apps.workspaces.models import Role

TOKEN = "tok-ECHOCANARY-5b7d0e12aa"
API_KEY = "key-ECHOCANARY-81f2c6d4"
QUERY_KEY = "qk-ECHOCANARY-3e9a77b0"
PASSWORD = "pw-ECHOCANARY-c4d1"
SECRETS = [TOKEN, API_KEY, QUERY_KEY, PASSWORD]
BASIC = base64.b64encode(f"ann:{PASSWORD}".encode()).decode()


def node(id_, type_, **config):
    return {"id": id_, "type": type_, "position": {"x": 0, "y": 0}, "data": {"config": config}}


def echo_json(recorded: Recorded) -> Reply:
    body = json.dumps({"headers": recorded.headers, "path": recorded.path}).encode()
    return Reply(
        200,
        {
            "Content-Type": "application/json",
            "X-Seen-Authorization": recorded.headers.get("Authorization", ""),
        },
        body,
    )


def echo_text(recorded: Recorded) -> Reply:
    lines = [f"{k}: {v}" for k, v in recorded.headers.items()] + [f"path: {recorded.path}"]
    return Reply(200, {"Content-Type": "text/plain"}, "\n".join(lines).encode())


@pytest.mark.django_db(transaction=True)  # steps run in threads with their own connections
def test_a_viewer_never_reads_an_echoed_credential(api, workspace, member_api, settings):
    with LocalServer() as server:
        server.route("/json", echo_json).route("/text", echo_text)
        settings.OUTBOUND_ALLOWLIST = [f"127.0.0.1:{server.port}"]

        def credential(kind: str, secret: dict, config: dict | None = None) -> str:
            response = api.post(
                "/api/v1/credentials/",
                {
                    "workspace": str(workspace.pk),
                    "name": f"{kind} {config}",
                    "kind": kind,
                    "config": config or {},
                    "secret": secret,
                },
                format="json",
            )
            assert response.status_code == 201, response.content
            return response.json()["id"]

        bearer = credential("bearer", {"token": TOKEN})
        header_key = credential(
            "api_key", {"api_key": API_KEY}, {"location": "header", "name": "X-Api-Key"}
        )
        query_key = credential(
            "api_key", {"api_key": QUERY_KEY}, {"location": "query", "name": "key"}
        )
        basic = credential("basic", {"password": PASSWORD}, {"username": "ann"})
        calls = [
            ("bearer_json", "/json", bearer),
            ("bearer_text", "/text", bearer),
            ("header_key", "/json", header_key),
            ("query_key", "/text", query_key),
            ("query_key_json", "/json", query_key),
            ("basic", "/json", basic),
        ]
        nodes = [node("start", "manual_trigger")]
        nodes += [
            node(name, "http_request", url=server.url(path), credential_id=cred)
            for name, path, cred in calls
        ]
        # A later step that copies the echoes from the context, and the run's output.
        nodes.append(node("copy", "transform", mapping={"all": "{{ nodes }}"}))
        ids = ["start", *[c[0] for c in calls], "copy"]
        edges = [
            {"id": f"e{i}", "source": a, "target": b} for i, (a, b) in enumerate(pairwise(ids))
        ]
        workflow = WorkflowFactory(workspace=workspace, graph={"nodes": nodes, "edges": edges})
        execution = execution_create(
            workflow=workflow, mode=Execution.Mode.TEST, draft=True, input={}
        )
        execution_run(execution_id=execution.pk)

    # The server really saw (and echoed) every credential, so absence below means something.
    seen = json.dumps([r.headers for r in server.requests] + [r.path for r in server.requests])
    assert TOKEN in seen and API_KEY in seen and QUERY_KEY in seen and BASIC in seen

    viewer = member_api(Role.VIEWER)
    steps = viewer.get(f"/api/v1/executions/{execution.pk}/steps/")
    run = viewer.get(f"/api/v1/executions/{execution.pk}/")
    assert steps.status_code == run.status_code == 200
    assert run.json()["status"] == "succeeded", run.json()
    for where, text in (("steps", steps.content.decode()), ("execution", run.content.decode())):
        assert redact(text, SECRETS) == text, f"a credential (or an encoding) in {where}"
        assert BASIC not in text
        assert "[redacted]" in text
    body = json.loads(steps.content)
    rows = body["results"]
    outputs = {row["node_id"]: row["output"] for row in rows}
    assert outputs["bearer_json"]["body"]["headers"]["Authorization"] == "Bearer [redacted]"
    assert outputs["bearer_json"]["headers"]["x-seen-authorization"] == "Bearer [redacted]"
    assert outputs["header_key"]["body"]["headers"]["X-Api-Key"] == "[redacted]"
    assert outputs["query_key_json"]["body"]["path"] == "/json?key=[redacted]"
    assert outputs["basic"]["body"]["headers"]["Authorization"] == "Basic [redacted]"
