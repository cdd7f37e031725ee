"""Issue 11, defect 2: malformed, deep and mis-typed bodies are a 4xx, never a 500.

Each case is an exact reproduction from the probe. The Django test client re-raises a view's
exception, so a case that still reached a 500 fails here with its traceback.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from apps.triggers.models import Trigger
from apps.triggers.services import trigger_secret_rotate
from apps.triggers.tests.factories import published_workflow
from apps.triggers.webhooks import webhook_targets_forget
from apps.workflows.models import Execution
from apps.workflows.tests.factories import SIMPLE_GRAPH, WorkflowFactory

pytestmark = pytest.mark.django_db

SIGNING_SECRET = "whsec-canary-3f9d2c1b7a6e"


def deep(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.fixture
def hook(workspace, user):
    webhook_targets_forget()
    workflow = published_workflow(
        workspace=workspace,
        user=user,
        block_type="webhook_trigger",
        config={"verification": {"preset": "none"}},
    )
    trigger = Trigger.objects.get(workflow=workflow)
    trigger_secret_rotate(trigger=trigger, secret=SIGNING_SECRET)
    return trigger


def assert_refused(response, field: str | None = None) -> dict:
    assert response.status_code == 400, response.content[:500]
    body = response.json()
    assert body["type"] == "parse_error", body
    assert body["detail"] and isinstance(body["fields"], dict), body
    if field is not None:
        assert field in body["fields"], body
    return body


@pytest.mark.parametrize(
    "raw, field",
    [
        (deep(10_000), "body"),
        ('{"a": NaN}', "body"),
        ('{"a": Infinity}', "body"),
        ('{"a": -1e400}', "body"),
        ('{"a": "x\\u0000y"}', "a"),
        ('{"a": ["\\ud800"]}', "a[0]"),
        ('{"\\u0000": 1}', "body"),
    ],
    ids=["deep-10000", "nan", "infinity", "overflow", "nul", "lone-surrogate", "nul-key"],
)
def test_webhook_json_body(client, hook, raw, field):
    response = client.post(f"/hooks/{hook.webhook_token}", raw, content_type="application/json")
    assert_refused(response, field)
    assert not Execution.objects.exists()


@pytest.mark.parametrize(
    "content_type, raw",
    [
        ("text/plain", b"a\x00b"),
        ("application/x-www-form-urlencoded", b"a=%00"),
    ],
)
def test_webhook_nul_in_text_and_form_bodies(client, hook, content_type, raw):
    assert_refused(client.post(f"/hooks/{hook.webhook_token}", raw, content_type=content_type))
    assert not Execution.objects.exists()


def test_webhook_nul_in_the_query(client, hook):
    response = client.post(
        f"/hooks/{hook.webhook_token}?q=%00", b"{}", content_type="application/json"
    )
    assert_refused(response, "q")


def test_webhook_nan_with_debug_shows_no_secret(hook, settings):
    settings.DEBUG = True
    anonymous = Client(raise_request_exception=False)
    response = anonymous.post(
        f"/hooks/{hook.webhook_token}", '{"a": NaN}', content_type="application/json"
    )
    assert response.status_code == 400
    assert SIGNING_SECRET.encode() not in response.content


def test_a_json_number_at_the_limit_still_works(client, hook):
    response = client.post(
        f"/hooks/{hook.webhook_token}", '{"a": 1.5, "b": [[[1]]]}', content_type="application/json"
    )
    assert response.status_code == 202, response.content
    assert Execution.objects.get().input["body"] == {"a": 1.5, "b": [[[1]]]}


@pytest.mark.parametrize("endpoint", ["workflows", "validate", "run"])
def test_api_deep_json_is_400(api, workspace, endpoint):
    workflow = WorkflowFactory(workspace=workspace)
    path, prefix = {
        "workflows": (
            "/api/v1/workflows/",
            f'{{"workspace": "{workspace.id}", "name": "x", "graph": ',
        ),
        "validate": ("/api/v1/workflows/validate/", '{"graph": '),
        "run": (f"/api/v1/workflows/{workflow.id}/run/", '{"draft": true, "input": '),
    }[endpoint]
    body = prefix + '{"a": ' * 990 + "1" + "}" * 990 + "}"
    assert_refused(api.generic("POST", path, body, content_type="application/json"))


def _graph_with_label(label: str) -> dict:
    graph = json.loads(json.dumps(SIMPLE_GRAPH))
    graph["nodes"][1]["data"]["label"] = label
    return graph


@pytest.mark.parametrize("label, problem", [("a\u0000b", "NUL"), ("a\ud800b", "surrogate")])
def test_node_label_with_nul_or_lone_surrogate(api, workspace, label, problem):
    body = json.dumps(
        {"workspace": str(workspace.id), "name": "x", "graph": _graph_with_label(label)}
    )  # ensure_ascii: escapes survive
    response = api.generic("POST", "/api/v1/workflows/", body, content_type="application/json")
    refused = assert_refused(response, "graph.nodes[1].data.label")
    assert problem in refused["fields"]["graph.nodes[1].data.label"][0]


@pytest.mark.parametrize("value", ["\u0000", "\udfff"])
def test_run_input_with_nul_or_lone_surrogate(api, workspace, value):
    workflow = WorkflowFactory(workspace=workspace)
    body = json.dumps({"draft": True, "input": {"name": value}})
    response = api.generic(
        "POST", f"/api/v1/workflows/{workflow.id}/run/", body, content_type="application/json"
    )
    assert_refused(response, "input.name")
    assert not Execution.objects.exists()


@pytest.mark.parametrize(
    "value, status",
    [
        ("2000-01-01T00:28:11+22:25", 200),  # the probe's 500: an offset PostgreSQL refuses
        ("0001-01-01T00:00:00+01:00", 400),  # before datetime.min once in UTC
        ("not-a-date", 400),
    ],
)
def test_executions_created_after(api, workspace, value, status):
    response = api.get("/api/v1/executions/", {"created_after": value})
    assert response.status_code == status, response.content
    if status == 400:
        assert response.json()["fields"]["created_after"]
