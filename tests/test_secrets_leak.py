"""A stored secret's plaintext (or its base64/percent/hex forms) appears nowhere it must not:
API responses, logs at DEBUG for every logger, audit rows, workflow exports, execution rows
(steps, logs, output, error) - including a run of a draft workflow whose HTTP step uses it."""

from __future__ import annotations

import json
import logging

import pytest

from apps.connectors.outbound.testing import LocalServer, Reply
from apps.core.redaction import redact
from apps.credentials.models import Credential
from apps.credentials.resolver import secrets_for
from apps.workflows.models import Execution, ExecutionLog, ExecutionStep
from apps.workflows.runtime.run import execution_run
from apps.workflows.services import execution_create, workflow_export
from apps.workflows.tests.factories import WorkflowFactory
from apps.workspaces.models import AuditEvent

API_KEY = "fpk-LEAKCANARY-4f1d9c2b7e"
PASSWORD = "pw-LEAKCANARY-93ab1e77"
TOKEN = "tok-LEAKCANARY-0c6e5a88f2"
SECRETS = [API_KEY, PASSWORD, TOKEN]


def assert_clean(text: str, where: str) -> None:
    # redact() replaces the raw value and its percent, base64 (aligned or embedded, e.g. in a
    # Basic header) and hex forms: if it changes the text, one of them was there.
    assert redact(text, SECRETS) == text, f"a secret (or an encoding of it) leaked into {where}"


def node(id_, type_, **config):
    return {"id": id_, "type": type_, "position": {"x": 0, "y": 0}, "data": {"config": config}}


@pytest.fixture
def every_logger(caplog):
    """Capture DEBUG from every logger, including ones that do not propagate to the root."""
    caplog.set_level(logging.DEBUG)
    attached = []
    for logger in [logging.getLogger(n) for n in list(logging.root.manager.loggerDict)]:
        if isinstance(logger, logging.Logger):
            logger.setLevel(logging.DEBUG)
            if not logger.propagate:
                logger.addHandler(caplog.handler)
                attached.append(logger)
    yield caplog
    for logger in attached:
        logger.removeHandler(caplog.handler)


@pytest.mark.django_db(transaction=True)  # steps run in threads with their own connections
def test_no_plaintext_anywhere(api, workspace, settings, every_logger):
    _exercise(api, workspace, settings, every_logger, fail_path="/ok")


@pytest.mark.django_db(transaction=True)
def test_no_plaintext_when_the_upstream_echoes_the_credential(
    api, workspace, settings, every_logger
):
    _exercise(api, workspace, settings, every_logger, fail_path="/fail")


def _exercise(api, workspace, settings, every_logger, *, fail_path):
    seen_auth: list[str] = []

    def echo_ok(recorded):
        seen_auth.append(recorded.headers.get("Authorization", "") + recorded.path)
        return Reply(status=200, headers={"Content-Type": "application/json"}, body=b'{"ok": true}')

    def echo_error(recorded):
        # A hostile or careless upstream that echoes the credential in its error page.
        echoed = json.dumps(
            {"got": recorded.headers.get("Authorization", ""), "path": recorded.path}
        ).encode()
        return Reply(status=502, headers={"Content-Type": "application/json"}, body=echoed)

    with LocalServer() as server:
        server.route("/ok", echo_ok)
        server.route("/fail", echo_error)
        settings.OUTBOUND_ALLOWLIST = [f"127.0.0.1:{server.port}"]
        responses = []

        def keep(response):
            responses.append(response.content.decode())
            return response

        ws = str(workspace.pk)
        key = keep(
            api.post(
                "/api/v1/credentials/",
                {
                    "workspace": ws,
                    "name": "key",
                    "kind": "api_key",
                    "config": {"location": "query", "name": "api_key"},
                    "secret": {"api_key": API_KEY},
                },
                format="json",
            )
        ).json()
        basic = keep(
            api.post(
                "/api/v1/credentials/",
                {
                    "workspace": ws,
                    "name": "basic",
                    "kind": "basic",
                    "config": {"username": "ann"},
                    "secret": {"password": PASSWORD},
                },
                format="json",
            )
        ).json()
        bearer = keep(
            api.post(
                "/api/v1/credentials/",
                {
                    "workspace": ws,
                    "name": "bearer",
                    "kind": "bearer",
                    "secret": {"token": "placeholder-token"},
                },
                format="json",
            )
        ).json()
        keep(
            api.patch(
                f"/api/v1/credentials/{bearer['id']}/", {"secret": {"token": TOKEN}}, format="json"
            )
        )
        keep(api.get("/api/v1/credentials/"))
        for cred in (key, basic, bearer):
            keep(api.get(f"/api/v1/credentials/{cred['id']}/"))
            keep(
                api.post(
                    f"/api/v1/credentials/{cred['id']}/test/",
                    {"url": server.url("/ok")},
                    format="json",
                )
            )
            keep(
                api.post(
                    f"/api/v1/credentials/{cred['id']}/test/",
                    {"url": server.url("/fail")},
                    format="json",
                )
            )

        graph = {
            "nodes": [
                node("start", "manual_trigger"),
                node("q", "http_request", url=server.url("/ok"), credential_id=key["id"]),
                node("b", "http_request", url=server.url("/ok"), credential_id=basic["id"]),
                node("t", "http_request", url=server.url(fail_path), credential_id=bearer["id"]),
            ],
            "edges": [
                {"id": "e1", "source": "start", "target": "q"},
                {"id": "e2", "source": "q", "target": "b"},
                {"id": "e3", "source": "b", "target": "t"},
            ],
        }
        workflow = WorkflowFactory(workspace=workspace, graph=graph)
        keep(api.get(f"/api/v1/workflows/{workflow.pk}/export/"))
        execution = execution_create(
            workflow=workflow, mode=Execution.Mode.TEST, draft=True, input={}
        )
        execution_run(execution_id=execution.pk)
        keep(api.get(f"/api/v1/executions/{execution.pk}/"))

        # Direct resolver use too (what an LLM or email block does).
        resolver = secrets_for(workspace_id=workspace.pk)
        assert resolver.values_for(basic["id"])["password"] == PASSWORD
        repr(resolver.auth_for(key["id"]))
        repr(resolver.auth_for(basic["id"]))

    # The secrets really were used, so absence below means something.
    assert any(API_KEY in s for s in seen_auth) and any("Basic " in s for s in seen_auth)
    execution.refresh_from_db()
    steps = {s.node_id: s for s in ExecutionStep.objects.filter(execution=execution)}
    assert steps["q"].status == "succeeded", steps["q"].error
    assert steps["t"].status == ("failed" if fail_path == "/fail" else "succeeded")

    for index, body in enumerate(responses):
        assert_clean(body, f"API response #{index}")
    for record in every_logger.records:
        assert_clean(
            record.getMessage() + " " + json.dumps(record.__dict__, default=str),
            f"log record {record.name}",
        )
    assert_clean(json.dumps(list(AuditEvent.objects.values()), default=str), "audit events")
    assert AuditEvent.objects.filter(action="credential.used").count() == 3
    assert_clean(json.dumps(workflow_export(workflow=workflow), default=str), "the export")
    assert_clean(json.dumps(list(Execution.objects.values()), default=str), "executions")
    assert_clean(json.dumps(list(ExecutionStep.objects.values()), default=str), "steps")
    assert_clean(json.dumps(list(ExecutionLog.objects.values()), default=str), "execution logs")
    assert_clean(
        json.dumps(
            list(Credential.objects.values("name", "public_data", "last_error", "status")),
            default=str,
        ),
        "credential metadata",
    )
