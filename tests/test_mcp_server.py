"""Published workflows marked as tools, served at /mcp/ by the MCP SDK and called with the
SDK's own streamable-HTTP client against a live ASGI server (uvicorn on 127.0.0.1), or the
WSGI server users run (gunicorn with config/gunicorn.py), and a real worker that runs the
workflow."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Any

import anyio
import httpx2
import pytest
import uvicorn
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from apps.core.exceptions import InvalidInput
from apps.workflows.models import Execution
from apps.workflows.services import workflow_create, workflow_publish
from apps.workspaces.models import AuditEvent
from apps.workspaces.services import api_token_create
from apps.workspaces.tests.factories import MembershipFactory
from config.env import var_path
from tests.worker import ROOT, wait_for, worker_env

GREETING_INPUT = {
    "type": "object",
    "required": ["name"],
    "additionalProperties": False,
    "properties": {"name": {"type": "string", "minLength": 1}},
}


def graph(input_schema: dict[str, Any] | None = None) -> dict[str, Any]:
    start: dict[str, Any] = {} if input_schema is None else {"input_schema": input_schema}
    return {
        "nodes": [
            {
                "id": "start",
                "type": "manual_trigger",
                "position": {"x": 0, "y": 0},
                "data": {"config": start},
            },
            {
                "id": "out",
                "type": "set_output",
                "position": {"x": 240, "y": 0},
                "data": {"config": {"values": {"greeting": "Hello {{ trigger.name }}"}}},
            },
        ],
        "edges": [{"id": "e1", "source": "start", "target": "out"}],
    }


def workflow(workspace, user, name, *, is_tool=True, publish=True, input_schema=None):
    created = workflow_create(
        workspace=workspace,
        name=name,
        description=f"{name} tool",
        graph=graph(input_schema),
        created_by=user,
        is_tool=is_tool,
    )
    if publish:
        workflow_publish(workflow=created, published_by=user)
    created.refresh_from_db()
    return created


@pytest.fixture
def mcp_url(celery_worker):
    from config.asgi import build_application

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            build_application(), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{port}/mcp/"
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def gunicorn_mcp_url(celery_worker):
    """`gunicorn config.wsgi -c python:config.gunicorn` (as `make run` starts it) on a free
    port and the test database; its console goes to var/test-gunicorn.log."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**worker_env(), "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": "1"}
    with var_path("test-gunicorn.log").open("a") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "-c", "python:config.gunicorn"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:

        def up() -> bool:
            assert proc.poll() is None, "gunicorn exited; see var/test-gunicorn.log"
            try:
                return httpx2.get(f"http://127.0.0.1:{port}/health", timeout=1).is_success
            except httpx2.TransportError:
                return False

        wait_for(up, timeout=60)
        yield f"http://127.0.0.1:{port}/mcp/"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def session_run(url: str, token: str, work) -> Any:
    async def main() -> Any:
        async with (
            httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=60) as http,
            streamable_http_client(url, http_client=http) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            return await work(session)

    return anyio.run(main)


def test_a_tool_call_runs_the_published_workflow(mcp_url, workspace, user):
    greet = workflow(workspace, user, "Greet", input_schema=GREETING_INPUT)
    workflow(workspace, user, "Not a tool", is_tool=False)
    workflow(workspace, user, "Draft only", publish=False)
    _, token = api_token_create(user=user, name="mcp")
    name = f"Greet-{greet.pk.hex[:8]}"

    async def work(session: ClientSession) -> Any:
        listed = await session.list_tools()
        done = await session.call_tool(name, {"name": "Ana"})
        invalid = await session.call_tool(name, {"nom": "Ana"})
        return listed, done, invalid

    listed, done, invalid = session_run(mcp_url, token, work)

    assert [(t.name, t.input_schema) for t in listed.tools] == [(name, GREETING_INPUT)]
    assert not done.is_error, done.content
    assert done.structured_content["output"] == {"greeting": "Hello Ana"}
    execution = Execution.objects.get(pk=done.structured_content["execution_id"])
    assert (execution.mode, execution.version_id, execution.input) == (
        Execution.Mode.API,
        greet.published_version_id,
        {"name": "Ana"},
    )
    assert AuditEvent.objects.filter(action="workflow.executed", actor=user).count() == 1
    assert invalid.is_error
    assert invalid.content[0].text == "Invalid arguments: (input): 'name' is a required property"
    assert Execution.objects.count() == 1  # the invalid call started nothing


def test_calls_are_rate_limited_per_token(mcp_url, workspace, user, settings):
    settings.MCP_CALLS_PER_MINUTE = 1
    greet = workflow(workspace, user, "Greet", input_schema=GREETING_INPUT)
    _, token = api_token_create(user=user, name="mcp")
    name = f"Greet-{greet.pk.hex[:8]}"

    async def work(session: ClientSession) -> Any:
        return [await session.call_tool(name, {"name": n}) for n in ("Ana", "Bo")]

    first, second = session_run(mcp_url, token, work)
    assert not first.is_error and second.is_error
    assert "Too many tool calls" in second.content[0].text
    assert Execution.objects.count() == 1


def test_without_a_valid_token_nothing_is_served(mcp_url, workspace, user):
    greet = workflow(workspace, user, "Greet")
    viewer = MembershipFactory(workspace=workspace, role="viewer").user
    _, token = api_token_create(user=viewer, name="mcp")

    async def work(session: ClientSession) -> Any:
        listed = await session.list_tools()
        with pytest.raises(MCPError, match="Unknown tool"):
            await session.call_tool(f"Greet-{greet.pk.hex[:8]}", {})
        return listed

    assert session_run(mcp_url, token, work).tools == []  # viewers may not run workflows
    assert not Execution.objects.exists()
    for headers in ({}, {"Authorization": "Bearer fp_not-a-real-token"}):
        response = httpx2.post(
            mcp_url, headers=headers, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
        )
        assert response.status_code == 401
        assert "Greet" not in response.text


def test_gunicorn_serves_mcp_through_the_wsgi_app(gunicorn_mcp_url, workspace, user):
    greet = workflow(workspace, user, "Greet", input_schema=GREETING_INPUT)
    _, token = api_token_create(user=user, name="mcp")
    name = f"Greet-{greet.pk.hex[:8]}"

    for headers in ({}, {"Authorization": "Bearer fp_not-a-real-token"}):
        response = httpx2.post(
            gunicorn_mcp_url,
            headers=headers,
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
        )
        assert response.status_code == 401
        assert response.json()["type"] == "not_authenticated"
        assert "Greet" not in response.text

    async def work(session: ClientSession) -> Any:
        listed = await session.list_tools()
        done = await session.call_tool(name, {"name": "Ana"})
        again = await session.call_tool(name, {"name": "Bo"})
        return listed, done, again

    # Two sessions: the process's one loop and lifespan serve request after request.
    for _ in range(2):
        listed, done, again = session_run(gunicorn_mcp_url, token, work)
        assert [(t.name, t.input_schema) for t in listed.tools] == [(name, GREETING_INPUT)]
        assert not done.is_error, done.content
        assert done.structured_content["output"] == {"greeting": "Hello Ana"}
        assert again.structured_content["output"] == {"greeting": "Hello Bo"}
    assert Execution.objects.filter(mode=Execution.Mode.API).count() == 4
    # No standalone SSE stream (it would hold a gunicorn thread): 405 at once, as allowed.
    response = httpx2.get(
        gunicorn_mcp_url,
        timeout=5,
        headers={"Authorization": f"Bearer {token}", "Accept": "text/event-stream"},
    )
    assert response.status_code == 405
    # Everything else is still Django's (its 404 page, its health check).
    base = gunicorn_mcp_url.removesuffix("/mcp/")
    assert httpx2.get(f"{base}/health").is_success
    assert httpx2.get(f"{base}/mcpx").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("schema", "message"),
    [
        (
            {"type": "objekt"},
            "Invalid JSON Schema: 'objekt' is not valid under any of the given schemas.",
        ),
        ({"type": "string"}, 'The input must be an object: set "type": "object".'),
    ],
)
def test_a_declared_input_must_be_an_object_schema(workspace, user, schema, message):
    with pytest.raises(InvalidInput) as caught:
        workflow(workspace, user, "Greet", input_schema=schema)
    assert caught.value.fields == {"graph.nodes[start].data.config.input_schema": [message]}
