"""Findings of the body corpus (test_body_corpus.py) and the schema fuzzing with every check
on (test_schema_fuzz.py), each as an exact reproduction that failed before its fix."""

from __future__ import annotations

import pytest

from apps.workflows.models import Execution, ExecutionStep, Workflow
from apps.workflows.tests.factories import ExecutionFactory, WorkflowFactory

pytestmark = pytest.mark.django_db


def deep(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    "content_type, body",
    [
        ("application/x-www-form-urlencoded", "graph=" + deep(100_000)),
        (
            "multipart/form-data; boundary=b",
            f'--b\r\nContent-Disposition: form-data; name="graph"\r\n\r\n{deep(100_000)}\r\n--b--\r\n',  # noqa: E501
        ),
    ],
    ids=["form", "multipart"],
)
def test_a_form_body_does_not_bypass_the_json_boundary(api, content_type, body):
    """Was a 500 (RecursionError): JSON fields sent as form values skipped the boundary."""
    response = api.generic("POST", "/api/v1/workflows/validate/", body, content_type=content_type)
    assert response.status_code == 415, response.content[:300]
    assert response.json()["type"] == "unsupported_media_type"


def test_a_huge_description_is_refused_naming_it(api, workspace):
    response = api.post(
        "/api/v1/workflows/",
        {"workspace": str(workspace.pk), "name": "w", "description": "x" * 300_000},
        format="json",
    )
    assert response.status_code == 400, response.status_code
    assert list(response.json()["fields"]) == ["description"]
    assert not Workflow.objects.filter(workspace=workspace).exists()


@pytest.fixture
def waiting(workspace):
    execution = ExecutionFactory(
        workflow=WorkflowFactory(workspace=workspace), status=Execution.Status.WAITING
    )
    ExecutionStep.objects.create(
        execution=execution,
        node_id="approve",
        block_type="wait",
        status=ExecutionStep.Status.WAITING,
    )
    return execution


def test_resuming_a_key_no_step_waits_on_writes_nothing(api, waiting):
    """Was 202: any key (300 KB of it too) was stored on the run and woke it."""
    for key in ("nope", "x" * 300_000):
        response = api.post(
            f"/api/v1/executions/{waiting.pk}/resume/",
            {"key": key, "payload": {"ok": True}},
            format="json",
        )
        assert response.status_code == 400, response.content[:300]
        assert list(response.json()["fields"]) == ["key"]
    waiting.refresh_from_db()
    assert waiting.status == Execution.Status.WAITING
    assert waiting.resumes == {}


def test_resuming_the_waiting_step_queues_the_run(api, waiting):
    response = api.post(
        f"/api/v1/executions/{waiting.pk}/resume/",
        {"key": "approve", "payload": {"ok": True}},
        format="json",
    )
    assert response.status_code == 202, response.content[:300]
    waiting.refresh_from_db()
    assert waiting.status == Execution.Status.QUEUED
    assert waiting.resumes == {"approve": {"ok": True}}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/workflows/?page_size=true",
        "/api/v1/workflows/?page_size=0",
        "/api/v1/workflows/?page=",
        "/api/v1/executions/?page_size=abc",
        "/api/v1/triggers/?is_active=maybe",
        "/api/v1/workflows/?status=",
        "/api/v1/audit-events/?created_before=",
        "/api/v1/blocks/?deprecated=1e145",
        "/api/v1/blocks/transform/?version=latest",
        "/api/v1/routing/evaluation?per_route=2",
    ],
)
def test_a_query_parameter_the_schema_calls_invalid_is_a_400_naming_it(api, url):
    """Each answered 200 (the value read as "absent") before."""
    response = api.get(url)
    assert response.status_code == 400, (url, response.status_code)
    name = url.split("?", 1)[1].split("=", 1)[0]
    assert list(response.json()["fields"]) == [name], response.json()


def test_the_schema_declares_the_bearer_token_and_the_error_answers(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "fp_<prefix>_<secret>",
    }
    operation = schema["paths"]["/api/v1/workflows/{id}/"]["put"]
    assert {"bearerAuth": []} in operation["security"]
    assert {"200", "400", "401", "403", "404", "409", "413", "415"} <= set(operation["responses"])
    assert operation["responses"]["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorOutput"
    }
    public = schema["paths"]["/api/v1/resume/{token}/"]["post"]
    assert "401" not in public["responses"]
