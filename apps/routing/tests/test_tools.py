"""Tool wrapper and agent: operations as LLM tools, a tool-calling loop against a local
OpenAI-compatible server, tool calls executed against a local HTTP API, the whole trace."""

from __future__ import annotations

from typing import Any

import pytest

from apps.connectors.models import Connector, ConnectorOperation
from apps.routing.http import outbound_client
from apps.routing.llm import ChatClient
from apps.routing.ports import RoutingService
from apps.routing.tools import Agent, connector_agent, tool_from_operation, tool_name

CREATE_SCHEMA = {
    "type": "object",
    "required": ["summary"],
    "additionalProperties": False,
    "properties": {"summary": {"type": "string"}, "start": {"type": "string"}},
}


def api_executor(base_url: str):
    """Stands in for the platform's connector-operation executor: a real HTTP call to the
    local API through the guarded outbound client."""
    client = outbound_client()
    routes = {
        "calendar.events.insert": ("POST", "/events"),
        "calendar.events.list": ("GET", "/events"),
    }

    def execute(connector: str, operation: str, arguments: dict[str, Any]) -> Any:
        method, path = routes[operation]
        response = client.request(
            method, base_url + path, json=arguments.get("body") if method == "POST" else None
        )
        if response.status >= 400:
            raise RuntimeError(f"HTTP {response.status}: {response.text}")
        return response.json()

    return execute


def calendar_tools():
    taken: set[str] = set()
    return [
        tool_from_operation(
            connector="google-calendar",
            key="calendar.events.insert",
            description="Creates an event.",
            parameters_schema={"type": "object", "properties": {}},
            body_schema=CREATE_SCHEMA,
            taken=taken,
        ),
        tool_from_operation(
            connector="google-calendar",
            key="calendar.events.list",
            description="Lists events.",
            taken=taken,
        ),
    ]


def test_operations_become_function_tools():
    tool = tool_from_operation(
        connector="github",
        key="issues/create",
        name="Create an issue",
        method="POST",
        path="/repos/{owner}/{repo}/issues",
        parameters_schema=[
            {"name": "owner", "in": "path", "required": True, "schema": {"type": "string"}},
            {"name": "repo", "in": "path", "required": True},
        ],
        body_schema={"type": "object", "properties": {"title": {"type": "string"}}},
    )
    spec = tool.spec()
    assert spec["function"]["name"] == "issues_create"
    assert spec["function"]["description"] == "Create an issue"
    params = spec["function"]["parameters"]
    assert params["required"] == ["owner", "repo"]
    assert set(params["properties"]) == {"owner", "repo", "body"}
    assert tool.validate({"owner": "a"}) and not tool.validate({"owner": "a", "repo": "b"})


def test_tool_names_are_safe_and_unique():
    taken: set[str] = set()
    assert tool_name("calendar.events.insert", taken) == "calendar_events_insert"
    assert tool_name("calendar/events insert", taken) == "calendar_events_insert_2"
    assert len(tool_name("x" * 100)) == 64


def test_agent_calls_the_api_and_returns_the_whole_trace(fake_openai, json_api):
    fake_openai.reply(
        tool_calls=[
            {
                "name": "calendar_events_insert",
                "arguments": {"body": {"summary": "Meeting with Ana", "start": "2026-11-26T10:00"}},
            }
        ]
    )
    fake_openai.reply(content="Created the event 'Meeting with Ana'.")
    agent = Agent(
        role="Calendar assistant",
        goal="Manage the user's calendar",
        backstory="Careful with dates.",
        tools=calendar_tools(),
        llm=ChatClient(base_url=fake_openai.url + "/v1", model="m", api_key="k"),
        executor=api_executor(json_api.url),
    )
    result = agent.run("Put a meeting with Ana on my calendar tomorrow at 10")
    assert result.stopped == "final_answer" and result.iterations == 2
    assert result.output == "Created the event 'Meeting with Ana'."
    assert json_api.events == [
        {"id": "1", "summary": "Meeting with Ana", "start": "2026-11-26T10:00"}
    ]
    kinds = [step["type"] for step in result.trace]
    assert kinds == ["llm", "tool", "llm"]
    tool_step = result.trace[1]
    assert tool_step["operation"] == "calendar.events.insert"
    assert tool_step["result"]["id"] == "1"
    assert result.usage == {"prompt_tokens": 20, "completion_tokens": 10, "total_tokens": 30}
    first, second = fake_openai.chat_requests()
    system = first["body"]["messages"][0]["content"]
    assert "Calendar assistant" in system and "Careful with dates." in system
    assert {t["function"]["name"] for t in first["body"]["tools"]} == {
        "calendar_events_insert",
        "calendar_events_list",
    }
    tool_message = second["body"]["messages"][-1]
    assert tool_message["role"] == "tool" and '"Meeting with Ana"' in tool_message["content"]


def test_invalid_arguments_and_failures_go_back_to_the_model(fake_openai, json_api):
    fake_openai.reply(
        tool_calls=[{"name": "calendar_events_insert", "arguments": {"body": {"start": "x"}}}]
    )  # no summary
    fake_openai.reply(tool_calls=[{"name": "no_such_tool", "arguments": {}}])
    fake_openai.reply(content="I could not create it.")
    agent = Agent(
        role="r",
        goal="g",
        backstory="",
        tools=calendar_tools(),
        llm=ChatClient(base_url=fake_openai.url, model="m"),
        executor=api_executor(json_api.url),
    )
    result = agent.run("create an event")
    errors = [s["error"] for s in result.trace if s["type"] == "tool"]
    assert "invalid arguments" in errors[0] and "summary" in errors[0]
    assert "unknown tool" in errors[1]
    assert json_api.events == []  # nothing invalid reached the API
    assert result.stopped == "final_answer"


def test_the_loop_is_bounded(fake_openai, json_api):
    for _ in range(5):
        fake_openai.reply(tool_calls=[{"name": "calendar_events_list", "arguments": {}}])
    agent = Agent(
        role="r",
        goal="g",
        backstory="",
        tools=calendar_tools(),
        llm=ChatClient(base_url=fake_openai.url, model="m"),
        executor=api_executor(json_api.url),
        max_iterations=3,
    )
    result = agent.run("loop forever")
    assert result.stopped == "max_iterations" and result.iterations == 3
    assert len(fake_openai.chat_requests()) == 3
    assert sum(1 for s in result.trace if s["type"] == "tool") == 3


def test_model_errors_end_the_run_with_the_error_in_the_trace(fake_openai):
    fake_openai.fail(400)
    agent = Agent(
        role="r",
        goal="g",
        backstory="",
        tools=calendar_tools(),
        llm=ChatClient(base_url=fake_openai.url, model="m"),
        executor=lambda *a: None,
    )
    result = agent.run("x")
    assert result.stopped == "llm_error" and "HTTP 400" in result.error
    assert result.trace[-1]["type"] == "llm_error"


@pytest.mark.django_db
def test_connector_agent_uses_the_catalogue_and_its_persona(fake_openai, json_api):
    connector = Connector.objects.create(
        slug="google-calendar",
        name="Google Calendar",
        tool_role="Scheduler",
        tool_goal="Keep the diary",
        tool_backstory="Knows every time zone.",
    )
    ConnectorOperation.objects.create(
        connector=connector,
        key="calendar.events.insert",
        name="Create event",
        method="POST",
        path="/events",
        description="Creates an event.",
        parameters_schema={"type": "object", "properties": {}},
        body_schema=CREATE_SCHEMA,
    )
    ConnectorOperation.objects.create(
        connector=connector,
        key="calendar.events.list",
        name="List events",
        method="GET",
        path="/events",
    )
    fake_openai.reply(
        tool_calls=[
            {"name": "calendar_events_insert", "arguments": {"body": {"summary": "Standup"}}}
        ]
    )
    fake_openai.reply(content="done")
    service = RoutingService(
        executor=api_executor(json_api.url), llm=ChatClient(base_url=fake_openai.url, model="m")
    )
    result = service.run_agent(
        connector="google-calendar", operation="calendar.events.insert", task="add a standup"
    )
    assert result["stopped"] == "final_answer" and json_api.events[0]["summary"] == "Standup"
    sent = fake_openai.chat_requests()[0]["body"]
    assert [t["function"]["name"] for t in sent["tools"]] == ["calendar_events_insert"]
    assert "Scheduler" in sent["messages"][0]["content"]
    agent = connector_agent(connector="google-calendar", llm=service.llm, executor=service.executor)
    assert len(agent.tools) == 2 and agent.goal == "Keep the diary"
    with pytest.raises(LookupError):
        service.run_agent(connector="google-calendar", operation="nope", task="x")
