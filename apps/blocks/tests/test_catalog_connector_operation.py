"""connector_operation: a catalogue operation sent to a real local API server."""

from __future__ import annotations

import json
from typing import Any

import pytest

from apps.blocks.catalog.connector_operation import build_request
from apps.blocks.tests import test_catalog_http_request as shared
from apps.blocks.tests.test_catalog_http_request import Secrets, reply_json, run_block
from apps.connectors.outbound import BearerToken, RetryPolicy, TargetPolicy
from apps.connectors.outbound.testing import Reply

server, http = shared.server, shared.http  # fixtures

ISSUES_OPERATION = {
    "method": "POST",
    "path": "/repos/{owner}/{repo}/issues",
    "parameters_schema": {
        "type": "object",
        "additionalProperties": False,
        "required": ["owner", "repo"],
        "properties": {
            "owner": {"type": "string", "x-in": "path"},
            "repo": {"type": "string", "x-in": "path"},
            "per_page": {"type": "integer", "maximum": 100, "x-in": "query"},
            "X-GitHub-Api-Version": {"type": "string", "x-in": "header"},
            "query.repo": {"type": "string", "x-in": "query", "x-name": "repo"},
        },
    },
    "body_schema": {
        "type": "object",
        "required": ["title"],
        "properties": {"title": {"type": "string"}},
    },
    "body_content_type": "application/json",
}


class Catalogue:
    """The host's connector catalogue port: ``operation(slug, key) -> dict | None``."""

    def __init__(self, base_url: str, operations: dict[tuple[str, str], dict[str, Any]]):
        self.base_url = base_url
        self.operations = operations

    def operation(self, slug: str, key: str) -> dict[str, Any] | None:
        found = self.operations.get((slug, key))
        return {**found, "base_url": self.base_url} if found else None


@pytest.fixture
def catalogue(server):
    return Catalogue(server.url("/api"), {("github", "issues_create"): ISSUES_OPERATION})


def test_operation_builds_url_query_headers_and_sends_with_auth(server, http, catalogue):
    server.route("/api/repos/acme/widgets/issues", reply_json({"number": 7}, status=201))
    secrets = Secrets(auth={"gh": BearerToken("ghp_x")})
    out = run_block(
        "connector_operation",
        http=http,
        secrets=secrets,
        services={"connectors": catalogue},
        connector="github",
        operation="issues_create",
        credential_id="gh",
        parameters={
            "owner": "acme",
            "repo": "widgets",
            "per_page": 5,
            "X-GitHub-Api-Version": "2022-11-28",
        },
        body={"title": "Broken"},
    )
    assert out.status == "succeeded", out.error
    assert out.steps["n"].output["status"] == 201
    assert out.steps["n"].output["body"] == {"number": 7}
    seen = server.requests[0]
    assert seen.method == "POST" and seen.path == "/api/repos/acme/widgets/issues?per_page=5"
    assert seen.headers["Authorization"] == "Bearer ghp_x"
    assert seen.headers["X-GitHub-Api-Version"] == "2022-11-28"
    assert json.loads(seen.body) == {"title": "Broken"}


def test_path_parameters_are_escaped():
    url, query, _ = build_request(
        ISSUES_OPERATION,
        {"owner": "../admin", "repo": "a b/c?d", "query.repo": "x"},
        "https://api.test/",
    )
    assert url == "https://api.test/repos/..%2Fadmin/a%20b%2Fc%3Fd/issues"
    assert query == [("repo", "x")]


def test_invalid_parameters_name_the_parameter_and_send_nothing(server, http, catalogue):
    out = run_block(
        "connector_operation",
        http=http,
        services={"connectors": catalogue},
        connector="github",
        operation="issues_create",
        parameters={"owner": "acme", "repo": "w", "per_page": 500},
    )
    assert out.error.code == "invalid_parameters"
    assert "'per_page'" in out.error.message and "100" in out.error.message
    missing = run_block(
        "connector_operation",
        http=http,
        services={"connectors": catalogue},
        connector="github",
        operation="issues_create",
        parameters={"owner": "acme"},
    )
    assert missing.error.code == "invalid_parameters" and "'repo'" in missing.error.message
    body = run_block(
        "connector_operation",
        http=http,
        services={"connectors": catalogue},
        connector="github",
        operation="issues_create",
        parameters={"owner": "a", "repo": "b"},
        body={"nope": 1},
    )
    assert body.error.code == "invalid_parameters" and "title" in body.error.message
    assert server.requests == []


def test_unknown_operation_and_missing_service(http, catalogue):
    out = run_block(
        "connector_operation",
        http=http,
        services={"connectors": catalogue},
        connector="github",
        operation="nope",
    )
    assert out.error.code == "unknown_operation" and "'nope'" in out.error.message
    bare = run_block("connector_operation", http=http, connector="github", operation="x")
    assert bare.error.code == "not_configured"


def test_upstream_5xx_of_a_post_is_not_repeated_without_a_key(server, http, catalogue):
    # Issue 11, defect 8: the POST may have been processed; without an idempotency key a
    # retry could create the issue twice.
    server.route("/api/repos/a/b/issues", Reply(502, body=b"bad gateway"))
    out = run_block(
        "connector_operation",
        http=http,
        services={"connectors": catalogue},
        connector="github",
        operation="issues_create",
        parameters={"owner": "a", "repo": "b"},
        body={"title": "t"},
        policies={"retry": {"max_attempts": 2, "backoff": "fixed", "base_s": 0.1}},
    )
    assert out.error.code == "http_502" and out.error.retryable is False
    assert "github.issues_create" in out.error.message and "bad gateway" in out.error.message
    assert "idempotency" in out.error.message
    assert len(server.requests) == 1


def test_upstream_5xx_of_a_get_is_retried_by_the_step(server, http):
    server.route("/api/repos/a/b/issues", Reply(502, body=b"bad gateway"))
    catalogue = Catalogue(
        server.url("/api"), {("github", "issues_create"): {**ISSUES_OPERATION, "method": "GET"}}
    )
    out = run_block(
        "connector_operation",
        http=http,
        services={"connectors": catalogue},
        connector="github",
        operation="issues_create",
        parameters={"owner": "a", "repo": "b"},
        policies={"retry": {"max_attempts": 2, "backoff": "fixed", "base_s": 0.1}},
    )
    assert out.error.code == "http_502" and out.error.retryable is True
    assert len(server.requests) == 2


def test_the_connectors_target_policy_is_applied(server, http):
    server.route("/api/repos/a/b/issues", Reply(503, body=b"busy"), reply_json({"number": 1}))
    policy = TargetPolicy(key="github", retry=RetryPolicy(max_attempts=2, base_delay=0.01))
    catalogue = Catalogue(
        server.url("/api"),
        {("github", "issues_create"): {**ISSUES_OPERATION, "method": "GET", "target": policy}},
    )
    out = run_block(
        "connector_operation",
        http=http,
        services={"connectors": catalogue},
        connector="github",
        operation="issues_create",
        parameters={"owner": "a", "repo": "b"},
        policies={"retry": {"max_attempts": 1}},
    )
    assert out.status == "succeeded", out.error
    assert out.steps["n"].attempts == 1 and len(server.requests) == 2
    assert http.metrics("github").calls_total == 1
