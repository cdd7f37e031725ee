"""http_request against a real HTTP server on 127.0.0.1, run through the engine.

The host ports are real: an ``OutboundClient`` whose SSRF allow-list names only 127.0.0.1,
and a small secrets object implementing the two methods of the host's credential port.
The helpers here are shared by the other outbound block tests.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest

from apps.connectors.outbound import (
    ApiKeyHeader,
    BearerToken,
    OutboundClient,
    RetryPolicy,
    SSRFPolicy,
    TargetPolicy,
)
from apps.connectors.outbound.testing import LocalServer, Recorded, Reply
from apps.workflows.engine.tests.helpers import GraphBuilder, make_env


class Secrets:
    """The host's credential port for tests: ``auth_for`` and ``values_for`` by id."""

    def __init__(
        self, auth: dict[str, Any] | None = None, values: dict[str, dict[str, Any]] | None = None
    ) -> None:
        self.auth = auth or {}
        self.values = values or {}

    def auth_for(self, credential_id: str) -> Any:
        if credential_id not in self.auth:
            raise LookupError(f"no credential {credential_id!r} in this workspace")
        return self.auth[credential_id]

    def values_for(self, credential_id: str) -> dict[str, Any]:
        if credential_id not in self.values:
            raise LookupError(f"no credential {credential_id!r} in this workspace")
        return dict(self.values[credential_id])


def local_client(**options: Any) -> OutboundClient:
    """The platform client, allowed to reach 127.0.0.1 only; the engine does the retrying."""
    options.setdefault("default_target", TargetPolicy(retry=RetryPolicy(max_attempts=1)))
    return OutboundClient(SSRFPolicy(allowlist=["127.0.0.1"]), **options)


def run_block(
    block: str,
    *,
    http: Any = None,
    secrets: Any = None,
    services: dict[str, Any] | None = None,
    payload: Any = None,
    policies: dict[str, Any] | None = None,
    **config: Any,
) -> Any:
    env = make_env(http=http, secrets=secrets, services=services or {})
    graph = (
        GraphBuilder()
        .trigger("t")
        .node("n", block, policies=policies, **config)
        .chain("t", "n")
        .build()
    )
    return env.run(graph, payload)


def reply_json(data: Any, status: int = 200, **headers: str) -> Reply:
    return Reply(status, {"Content-Type": "application/json", **headers}, json.dumps(data).encode())


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as local:
        yield local


@pytest.fixture
def http() -> Iterator[OutboundClient]:
    with local_client() as client:
        yield client


def test_get_with_query_headers_and_bearer_credential(server, http):
    server.route("/items", reply_json({"items": [1, 2]}))
    secrets = Secrets(auth={"cred-1": BearerToken("s3cret-token")})
    out = run_block(
        "http_request",
        http=http,
        secrets=secrets,
        payload={"q": "shoes"},
        url=server.url("/items"),
        query={"q": "{{ trigger.q }}", "tag": ["a", "b"]},
        headers={"X-Trace": "abc"},
        credential_id="cred-1",
    )
    assert out.status == "succeeded", out.error
    output = out.steps["n"].output
    assert output["status"] == 200 and output["ok"] is True
    assert output["body"] == {"items": [1, 2]}
    assert output["headers"]["content-type"] == "application/json"
    seen = server.requests[0]
    assert seen.method == "GET" and seen.path == "/items?q=shoes&tag=a&tag=b"
    assert seen.headers["Authorization"] == "Bearer s3cret-token"
    assert seen.headers["X-Trace"] == "abc"
    assert "s3cret" not in json.dumps(output)


def test_json_form_and_raw_bodies(server, http):
    server.route("/in", lambda r: Reply(201, {"Content-Type": "text/plain"}, b"made"))
    out = run_block(
        "http_request",
        http=http,
        method="POST",
        url=server.url("/in"),
        body_type="json",
        body={"name": "Ann", "n": 3},
    )
    assert out.steps["n"].output["body"] == "made" and out.steps["n"].output["status"] == 201
    run_block(
        "http_request",
        http=http,
        method="PUT",
        url=server.url("/in"),
        body_type="form",
        body={"a": "1 2", "b": True},
    )
    run_block(
        "http_request",
        http=http,
        method="PATCH",
        url=server.url("/in"),
        body_type="raw",
        body="<x/>",
        content_type="application/xml",
    )
    first, second, third = server.requests
    assert json.loads(first.body) == {"name": "Ann", "n": 3}
    assert first.headers["Content-Type"] == "application/json"
    assert second.body == b"a=1+2&b=true"
    assert second.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert third.body == b"<x/>" and third.headers["Content-Type"] == "application/xml"


def test_api_key_credential_and_idempotency_header(server, http):
    server.route("/pay", reply_json({"ok": True}))
    secrets = Secrets(auth={"k": ApiKeyHeader("key-123", header="X-Api-Key")})
    out = run_block(
        "http_request",
        http=http,
        secrets=secrets,
        method="POST",
        url=server.url("/pay"),
        credential_id="k",
        body_type="json",
        body={},
        idempotency_header="Idempotency-Key",
    )
    assert out.status == "succeeded"
    headers = server.requests[0].headers
    assert headers["X-Api-Key"] == "key-123"
    assert headers["Idempotency-Key"] == "ex-1:n"


def test_4xx_fails_without_retry_and_shows_a_snippet(server, http):
    server.route("/missing", Reply(404, {"Content-Type": "text/plain"}, b"no such thing"))
    out = run_block("http_request", http=http, url=server.url("/missing"))
    assert out.status == "failed"
    assert out.error.code == "http_404" and out.error.retryable is False
    assert "404" in out.error.message and "no such thing" in out.error.message
    assert out.error.node_id == "n" and out.error.block == "http_request@1"
    assert len(server.requests) == 1


def test_5xx_is_retried_by_the_engine_then_succeeds(server, http):
    server.route("/flaky", Reply(503, body=b"busy"), reply_json({"done": True}))
    out = run_block("http_request", http=http, url=server.url("/flaky"))
    assert out.status == "succeeded"
    assert out.steps["n"].output["body"] == {"done": True}
    assert out.steps["n"].attempts == 2 and len(server.requests) == 2


def test_non_2xx_as_output_when_fail_on_status_is_off(server, http):
    server.route("/teapot", reply_json({"error": "teapot"}, status=418))
    out = run_block(
        "http_request",
        http=http,
        url=server.url("/teapot"),
        fail_on_status=False,
        response_format="json",
    )
    output = out.steps["n"].output
    assert out.status == "succeeded" and output["status"] == 418 and output["ok"] is False
    assert output["body"] == {"error": "teapot"}


def test_binary_response_is_base64_and_capped(server, http):
    blob = bytes(range(256)) * 4
    server.route("/file", Reply(200, {"Content-Type": "application/octet-stream"}, blob))
    out = run_block("http_request", http=http, url=server.url("/file"), response_format="binary")
    body = out.steps["n"].output["body"]
    assert base64.b64decode(body["base64"]) == blob
    assert body["size"] == 1024 and body["content_type"] == "application/octet-stream"
    capped = run_block(
        "http_request",
        http=http,
        url=server.url("/file"),
        response_format="binary",
        max_binary_bytes=100,
    )
    assert capped.status == "failed" and capped.error.code == "response_too_large"


def test_text_that_should_be_json_is_a_clear_error(server, http):
    server.route("/html", Reply(200, {"Content-Type": "text/html"}, b"<html>hi</html>"))
    out = run_block("http_request", http=http, url=server.url("/html"), response_format="json")
    assert out.error.code == "invalid_response"
    assert "expected JSON" in out.error.message and "text/html" in out.error.message


def test_ssrf_refusal_names_the_host_and_is_not_retried(http):
    out = run_block("http_request", http=http, url="http://169.254.169.254/latest/meta-data/")
    assert out.status == "failed"
    assert out.error.code == "blocked_destination" and out.error.retryable is False
    assert "169.254.169.254" in out.error.message
    assert out.steps["n"].attempts == 1
    private = run_block("http_request", http=http, url="http://10.1.2.3:8080/admin")
    assert private.error.code == "blocked_destination" and "10.1.2.3" in private.error.message


def test_timeout_is_retryable_and_names_the_host(server):
    server.route("/slow", Reply(200, body=b"late", delay=1.0))
    with local_client() as client:
        out = run_block(
            "http_request",
            http=client,
            url=server.url("/slow"),
            timeout_s=0.2,
            policies={"retry": {"max_attempts": 1}},
        )
    assert out.error.code == "timeout" and out.error.retryable is True
    assert "127.0.0.1" in out.error.message


def test_unknown_credential_is_a_clear_error(server, http):
    server.route("/x", reply_json({}))
    out = run_block(
        "http_request", http=http, secrets=Secrets(), url=server.url("/x"), credential_id="nope"
    )
    assert out.error.code == "credential_error" and "'nope'" in out.error.message
    assert server.requests == []


def test_without_a_host_client_the_block_says_so():
    out = run_block("http_request", url="https://example.com/")
    assert out.error.code == "not_configured" and "ctx.http" in out.error.message


def test_redirect_to_another_host_drops_the_credential(server, http):
    def redirect(recorded: Recorded) -> Reply:
        return Reply(302, {"Location": server.url("/landing", host="localhost")})

    server.route("/start", redirect)
    server.route("/landing", reply_json({"here": True}))
    with local_client() as client:
        client.policy.allowlist = type(client.policy.allowlist).parse(["127.0.0.1", "localhost"])
        out = run_block(
            "http_request",
            http=client,
            url=server.url("/start"),
            secrets=Secrets(auth={"c": BearerToken("tok")}),
            credential_id="c",
        )
    assert out.steps["n"].output["body"] == {"here": True}
    assert "Authorization" in server.requests[0].headers
    assert "Authorization" not in server.requests[1].headers


class RefreshingSecrets(Secrets):
    """A host secrets port that also offers ``request`` (the platform's does): on a 401 it
    refreshes the token once and repeats the call, like an OAuth credential."""

    def __init__(self, client: OutboundClient) -> None:
        super().__init__()
        self.client = client
        self.tokens = ["expired-token", "fresh-token"]

    def request(self, credential_id: str, method: str, url: str, **kwargs: Any) -> Any:
        response = self.client.request(
            method, url, auth_injector=BearerToken(self.tokens[0]), **kwargs
        )
        if response.status == 401:
            self.tokens.pop(0)
            response = self.client.request(
                method, url, auth_injector=BearerToken(self.tokens[0]), **kwargs
            )
        return response


def test_credentialed_calls_use_the_hosts_refreshing_request(server, http):
    def api(recorded: Recorded) -> Reply:
        if recorded.headers.get("Authorization") != "Bearer fresh-token":
            return reply_json({"error": "token expired"}, status=401)
        return reply_json({"me": "ann"})

    server.route("/me", api)
    out = run_block(
        "http_request",
        http=http,
        secrets=RefreshingSecrets(http),
        url=server.url("/me"),
        credential_id="oauth",
    )
    assert out.status == "succeeded", out.error
    assert out.steps["n"].output["body"] == {"me": "ann"}
    assert [r.headers["Authorization"] for r in server.requests] == [
        "Bearer expired-token",
        "Bearer fresh-token",
    ]


def test_a_long_retry_after_parks_the_run_until_then(server):
    limited = reply_json({"error": "slow down"}, status=429, **{"Retry-After": "120"})
    server.route("/limited", limited, reply_json({"finally": True}))
    env = make_env()
    # The client's rate limiter remembers the Retry-After on the same clock as the engine.
    with local_client(clock=lambda: env.clock.now().timestamp()) as client:
        env.runner = env.new_runner(http=client)
        graph = (
            GraphBuilder()
            .trigger("t")
            .node("n", "http_request", url=server.url("/limited"))
            .chain("t", "n")
            .build()
        )
        first = env.run(graph)
        assert first.status == "waiting"
        assert (first.wake_at - env.clock.now()).total_seconds() == 120
        assert len(server.requests) == 1
        env.clock.advance(121)
        second = env.run(graph)
    assert second.status == "succeeded", second.error
    assert second.steps["n"].output["body"] == {"finally": True}
    assert len(server.requests) == 2


def test_a_short_retry_after_is_an_ordinary_retry(server, http):
    server.route("/brief", Reply(503, {"Retry-After": "1"}, b"busy"), reply_json({"ok": 1}))
    out = run_block("http_request", http=http, url=server.url("/brief"))
    assert out.status == "succeeded" and out.steps["n"].attempts == 2
