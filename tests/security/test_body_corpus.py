"""A malformed and mis-typed body corpus over every POST/PUT/PATCH operation of the published
schema (issue 11, tests/security): each answer is a 4xx, a 400 names the offending field, and
nothing is written.

The operations and their fields come from the schema the API publishes, so a new route or
field is covered without editing this file. Per operation: an empty body, a JSON array, a
JSON string, non-JSON content types, an unknown field, and per field a value of the wrong
type and a huge string. Each operation runs against seeded objects the caller owns (a
published workflow with a run, a trigger, a credential), so bodies reach validation.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.apps import apps as django_apps

from apps.credentials.services import credential_create
from apps.triggers.models import Trigger
from apps.triggers.tests.factories import published_workflow
from apps.workflows.models import Execution
from apps.workflows.tests.factories import ExecutionFactory
from apps.workspaces.models import Role
from apps.workspaces.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

HUGE = "x" * 300_000
NOT_JSON = [
    ("text/plain", "name=x"),
    ("application/x-www-form-urlencoded", "name=x"),
    (
        "multipart/form-data; boundary=b",
        '--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--b--\r\n',
    ),
    ("application/xml", "<name>x</name>"),
]
# A value of another JSON type than the one a field declares.
WRONG = {
    "string": {"a": 1},
    "integer": "seven",
    "number": "seven",
    "boolean": "maybe",
    "object": "not an object",
    "array": "not an array",
}


def _schema(api) -> dict[str, Any]:
    return api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    if "allOf" in node and len(node["allOf"]) == 1:
        return _resolve(schema, node["allOf"][0])
    return node


def _body_operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, request body schema) of every operation taking a JSON body."""
    found = []
    for path, item in schema["paths"].items():
        for method in ("post", "put", "patch"):
            operation = item.get(method)
            if operation is None:
                continue
            content = (operation.get("requestBody") or {}).get("content", {})
            if "application/json" in content:  # actions without a body ignore one
                found.append(
                    (method, path, _resolve(schema, content["application/json"]["schema"]))
                )
    return found


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in django_apps.get_models()
        if model._meta.app_label
        in ("workspaces", "workflows", "triggers", "credentials", "connectors", "routing")
    }


@pytest.fixture
def seeded(user, workspace):
    workflow = published_workflow(
        workspace=workspace,
        user=user,
        block_type="webhook_trigger",
        config={"verification": {"preset": "none"}},
    )
    return {
        "workspace": workspace.pk,
        "workflow": workflow.pk,
        "execution": ExecutionFactory(workflow=workflow, status=Execution.Status.WAITING).pk,
        "trigger": Trigger.objects.get(workflow=workflow).pk,
        "credential": credential_create(
            workspace=workspace,
            actor=user,
            name="mine",
            kind="bearer",
            secret={"token": "my-token-123"},
        ).pk,
        "membership_id": MembershipFactory(workspace=workspace, role=Role.VIEWER).pk,
    }


def _url(path: str, seeded: dict[str, Any]) -> str:
    kind = path.strip("/").split("/")[2].rstrip("s")  # /api/v1/<kind>s/{id}/...
    values = {
        "id": seeded.get(kind, seeded["workflow"]),
        "key": "transform",
        "connector": "nope",
        "token": "nope",
        "slug": "nope",
        "membership_id": seeded["membership_id"],
    }
    return path.format(**values)


def _cases(body: dict[str, Any]) -> list[tuple[str, str, Any, str | None]]:
    """(label, content type, raw body, the field a 400 must name or None)."""
    cases: list[tuple[str, str, Any, str | None]] = [
        ("array", "application/json", "[]", None),
        ("string", "application/json", '"x"', None),
        ("unknown field", "application/json", json.dumps({"zz_unknown": 1}), "zz_unknown"),
    ]
    for name in body.get("required", []):
        cases.append((f"missing {name}", "application/json", "{}", name))
    cases += [(f"content type {ct}", ct, raw, None) for ct, raw in NOT_JSON]
    for name, field in body.get("properties", {}).items():
        kind = field.get("type")
        if field.get("readOnly") or kind not in WRONG:
            continue
        cases.append(
            (f"{name} as the wrong type", "application/json", json.dumps({name: WRONG[kind]}), name)
        )
        if kind == "string" and "enum" not in field:
            cases.append((f"{name} huge", "application/json", json.dumps({name: HUGE}), name))
    return cases


def test_the_corpus_covers_every_body_operation(api):
    operations = _body_operations(_schema(api))
    assert len(operations) >= 20, len(operations)


def test_malformed_and_mistyped_bodies_are_4xx_naming_the_field_and_write_nothing(api, seeded):
    schema = _schema(api)
    problems = []
    tried = 0
    for method, path, body in _body_operations(schema):
        url = _url(path, seeded)
        before = _row_counts()
        for label, content_type, raw, field in _cases(body):
            response = api.generic(method.upper(), url, raw, content_type=content_type)
            tried += 1
            where = f"{method.upper()} {path} [{label}]"
            status = response.status_code
            if not 400 <= status < 500:
                problems.append(f"{where}: {status} {response.content[:200]!r}")
                continue
            if content_type.split(";")[0] != "application/json" and status not in (403, 404, 415):
                problems.append(f"{where}: {status}, not 415")
            if status == 400:
                answer = response.json()
                fields = answer.get("fields") or {}
                if not fields:
                    problems.append(f"{where}: 400 without fields: {answer}")
                elif field is not None and not any(
                    key == field or key.startswith((f"{field}.", f"{field}[")) for key in fields
                ):
                    problems.append(f"{where}: 400 does not name {field!r}: {fields}")
        if _row_counts() != before:
            changed = {k: (before[k], v) for k, v in _row_counts().items() if before[k] != v}
            problems.append(f"{method.upper()} {path}: rows written {changed}")
    assert tried > 200, tried
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
