"""Connector operations as LLM tools, and a CrewAI-style agent that calls them.

``tool_from_operation`` turns one operation into an OpenAI-style function tool (a safe
name, the operation's description, JSON Schema parameters built from its parameter and body
schemas). ``Agent`` (role, goal, backstory, tools) runs a tool-calling loop against an
OpenAI-compatible chat API: each tool call's arguments are validated against the tool's
schema, then executed through the ``ToolExecutor`` it was given (the platform's
connector-operation executor; this module never performs the call itself), and the result
goes back to the model. The loop stops at a final answer or after ``max_iterations`` model
turns, and every turn and call is in the returned trace for the execution log.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from apps.routing.llm import ChatClient, LLMError

__all__ = ["Agent", "AgentResult", "Tool", "ToolExecutor", "tool_from_operation"]

ToolExecutor = Callable[[str, str, dict[str, Any]], Any]
"""``executor(connector_slug, operation_key, arguments) -> JSON-able result``; raise to fail."""

_NAME = re.compile(r"[^A-Za-z0-9_-]+")
MAX_RESULT_CHARS = 8000


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    parameters: dict[str, Any]
    connector: str
    operation: str

    def spec(self) -> dict[str, Any]:
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters,
            },
        }

    def validate(self, arguments: Any) -> list[str]:
        try:
            validator = Draft202012Validator(self.parameters)
        except SchemaError:
            return []
        return [
            f"{'.'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
            for e in validator.iter_errors(arguments)
        ][:5]


def tool_name(text: str, taken: set[str] | None = None) -> str:
    """An OpenAI-safe function name (``^[A-Za-z0-9_-]{1,64}$``), unique within ``taken``."""
    base = _NAME.sub("_", text).strip("_")[:64] or "tool"
    name, n = base, 2
    while taken is not None and name in taken:
        suffix = f"_{n}"
        name = base[: 64 - len(suffix)] + suffix
        n += 1
    if taken is not None:
        taken.add(name)
    return name


def _parameters(parameters_schema: Any, body_schema: Any) -> dict[str, Any]:
    """One object schema from an operation's parameter schema (object, or an OpenAPI
    parameter list) and its body schema (as a ``body`` property)."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    if isinstance(parameters_schema, Mapping) and parameters_schema.get("type") == "object":
        properties.update(parameters_schema.get("properties") or {})
        required.extend(parameters_schema.get("required") or [])
    elif isinstance(parameters_schema, Mapping) and "properties" in parameters_schema:
        properties.update(parameters_schema["properties"] or {})
        required.extend(parameters_schema.get("required") or [])
    elif isinstance(parameters_schema, Sequence) and not isinstance(parameters_schema, str):
        for item in parameters_schema:
            if not isinstance(item, Mapping) or "name" not in item:
                continue
            schema = dict(item.get("schema") or {"type": "string"})
            if item.get("description"):
                schema.setdefault("description", str(item["description"])[:300])
            properties[str(item["name"])] = schema
            if item.get("required"):
                required.append(str(item["name"]))
    if isinstance(body_schema, Mapping) and body_schema:
        properties["body"] = dict(body_schema)
    out: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        out["required"] = sorted(set(required) & set(properties))
    return out


def tool_from_operation(
    *,
    connector: str,
    key: str,
    name: str = "",
    description: str = "",
    method: str = "",
    path: str = "",
    parameters_schema: Any = None,
    body_schema: Any = None,
    taken: set[str] | None = None,
) -> Tool:
    text = description or name or f"{method} {path}".strip() or key
    return Tool(
        name=tool_name(key, taken),
        description=" ".join(text.split())[:1000],
        parameters=_parameters(parameters_schema, body_schema),
        connector=connector,
        operation=key,
    )


@dataclass
class AgentResult:
    output: str
    stopped: str  # "final_answer" | "max_iterations" | "llm_error"
    iterations: int
    trace: list[dict[str, Any]]
    usage: dict[str, int] = field(default_factory=dict)
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "output": self.output,
            "stopped": self.stopped,
            "iterations": self.iterations,
            "trace": self.trace,
            "usage": self.usage,
            "error": self.error,
        }


@dataclass
class Agent:
    role: str
    goal: str
    backstory: str
    tools: list[Tool]
    llm: ChatClient
    executor: ToolExecutor
    max_iterations: int = 6

    def system_prompt(self) -> str:
        return (
            f"You are {self.role}.\nYour goal: {self.goal}\n{self.backstory}\n"
            "Use the tools to act; call a tool only with arguments its schema allows. "
            "When the task is done, answer without calling a tool."
        )

    def run(self, task: str, *, expected_output: str = "", context: Any = None) -> AgentResult:
        """Work on ``task`` until a final answer or ``max_iterations`` model turns."""
        content = task
        if expected_output:
            content += f"\n\nExpected output: {expected_output}"
        if context is not None:
            content += f"\n\nContext:\n{json.dumps(context, default=str)[:4000]}"
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": self.system_prompt()},
            {"role": "user", "content": content},
        ]
        by_name = {t.name: t for t in self.tools}
        specs = [t.spec() for t in self.tools]
        trace: list[dict[str, Any]] = []
        usage: dict[str, int] = {}
        last_text = ""
        for turn in range(1, max(1, self.max_iterations) + 1):
            started = time.perf_counter()
            try:
                message, used = self.llm.complete(messages, tools=specs or None)
            except LLMError as exc:
                trace.append({"type": "llm_error", "turn": turn, "error": str(exc)})
                return AgentResult(last_text, "llm_error", turn, trace, usage, str(exc))
            for key, value in used.items():
                if isinstance(value, int):
                    usage[key] = usage.get(key, 0) + value
            calls = message.get("tool_calls") or []
            last_text = message.get("content") or last_text
            trace.append(
                {
                    "type": "llm",
                    "turn": turn,
                    "content": message.get("content"),
                    "tool_calls": [
                        {
                            "id": c.get("id"),
                            "name": c.get("function", {}).get("name"),
                            "arguments": c.get("function", {}).get("arguments"),
                        }
                        for c in calls
                    ],
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                }
            )
            if not calls:
                return AgentResult(message.get("content") or "", "final_answer", turn, trace, usage)
            messages.append(
                {"role": "assistant", "content": message.get("content"), "tool_calls": calls}
            )
            for call in calls:
                messages.append(self._call_tool(call, by_name, trace, turn))
        return AgentResult(
            last_text,
            "max_iterations",
            self.max_iterations,
            trace,
            usage,
            f"stopped after {self.max_iterations} model turns",
        )

    def _call_tool(
        self,
        call: Mapping[str, Any],
        tools: Mapping[str, Tool],
        trace: list[dict[str, Any]],
        turn: int,
    ) -> dict[str, Any]:
        function = call.get("function") or {}
        name = function.get("name")
        started = time.perf_counter()
        entry: dict[str, Any] = {"type": "tool", "turn": turn, "id": call.get("id"), "name": name}
        tool = tools.get(name)
        try:
            arguments = json.loads(function.get("arguments") or "{}")
        except (TypeError, ValueError):
            arguments = None
        entry["arguments"] = arguments
        if tool is None:
            error = f"unknown tool {name!r}"
        elif not isinstance(arguments, dict):
            error = "arguments must be a JSON object"
        else:
            entry.update(connector=tool.connector, operation=tool.operation)
            problems = tool.validate(arguments)
            error = "invalid arguments: " + "; ".join(problems) if problems else None
        if error is None and tool is not None:
            try:
                result = self.executor(tool.connector, tool.operation, arguments)
                text = json.dumps(result, default=str)
                entry["result"] = (
                    result if len(text) <= MAX_RESULT_CHARS else text[:MAX_RESULT_CHARS]
                )
                payload = text[:MAX_RESULT_CHARS]
            except Exception as exc:  # the model sees the failure and may correct itself
                error = f"{type(exc).__name__}: {exc}"[:500]
        if error is not None:
            entry["error"] = error
            payload = json.dumps({"error": error})
        entry["ms"] = round((time.perf_counter() - started) * 1000, 1)
        trace.append(entry)
        return {"role": "tool", "tool_call_id": call.get("id") or "", "content": payload}


def connector_agent(
    *,
    connector: str,
    llm: ChatClient,
    executor: ToolExecutor,
    operations: Sequence[str] | None = None,
    role: str = "",
    goal: str = "",
    backstory: str = "",
    max_iterations: int | None = None,
) -> Agent:
    """An agent over a catalogue connector's operations (all, or the ``operations`` keys)."""
    from apps.routing import conf
    from apps.routing.selectors import connector_tools

    info, tools = connector_tools(connector=connector, operations=operations)
    return Agent(
        role=role or info.get("tool_role") or f"{info.get('name', connector)} assistant",
        goal=goal
        or info.get("tool_goal")
        or f"Do what the user asks using the {info.get('name', connector)} API.",
        backstory=backstory or info.get("tool_backstory") or "",
        tools=tools,
        llm=llm,
        executor=executor,
        max_iterations=max_iterations or int(conf.get("ROUTING_AGENT_MAX_ITERATIONS")),
    )
