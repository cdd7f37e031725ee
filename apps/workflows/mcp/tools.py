"""The Django side of the MCP server: which workflows a token may call, and a call as a
normal run. Synchronous (the ORM); ``server.py`` calls it from worker threads.

A tool is a workflow that is published and marked ``is_tool``, in a workspace where the
token's user may run workflows (editor or above, as for ``POST /workflows/{id}/run/``). Its
input schema is the ``input_schema`` its published manual trigger declares. A call is
validated against that schema, rate-limited per token, started with ``execution_start``
(queued, recorded and audited like an API run) and awaited up to ``MCP_TOOL_TIMEOUT_S``.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from jsonschema import Draft202012Validator

from apps.workflows.models import Execution, Workflow
from apps.workflows.services import execution_start
from apps.workspaces.models import ApiToken, Membership, Role
from apps.workspaces.ratelimit import window_count

ANY_OBJECT: dict[str, Any] = {"type": "object"}
RUNNERS = (Role.OWNER, Role.ADMIN, Role.EDITOR)
POLL_S = 0.1
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


class ToolError(Exception):
    """A failure the calling model should see (bad arguments, limits, a failed run)."""


@dataclass(frozen=True)
class WorkflowTool:
    name: str
    description: str
    input_schema: dict[str, Any]
    workflow: Workflow


def _name(workflow: Workflow) -> str:
    # Unique (the id's head) and readable by a model; MCP allows [A-Za-z0-9_-], 1-64 chars.
    base = _UNSAFE.sub("_", workflow.name).strip("_")[:50] or "workflow"
    return f"{base}-{workflow.pk.hex[:8]}"


def _input_schema(graph: dict[str, Any]) -> dict[str, Any]:
    for node in graph.get("nodes", []):
        if node.get("type") == "manual_trigger":
            schema = ((node.get("data") or {}).get("config") or {}).get("input_schema")
            if isinstance(schema, dict):
                return schema
    return ANY_OBJECT


def tool_list(*, api_token: ApiToken) -> list[WorkflowTool]:
    """The tools the token's user may call, by name."""
    workspaces = Membership.objects.filter(user_id=api_token.user_id, role__in=RUNNERS).values(
        "workspace_id"
    )
    workflows = (
        Workflow.objects.filter(
            workspace_id__in=workspaces, is_tool=True, published_version__isnull=False
        )
        .select_related("published_version")
        .order_by("name", "id")
    )
    return [
        WorkflowTool(
            name=_name(w),
            description=w.description or w.name,
            input_schema=_input_schema(w.published_version.graph),
            workflow=w,
        )
        for w in workflows
    ]


def _rate_limited(api_token: ApiToken) -> int | None:
    """Seconds to wait when the token used up its calls of this minute, else None."""
    limit = int(getattr(settings, "MCP_CALLS_PER_MINUTE", 60))
    now = time.time()
    window = int(now // 60)
    if window_count(f"mcp:rl:{api_token.pk}:{window}", 61) <= limit:
        return None
    return max(1, math.ceil((window + 1) * 60 - now))


def tool_call(*, api_token: ApiToken, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """Run the tool's workflow with ``arguments`` as its input; its output, or ToolError."""
    tool = next((t for t in tool_list(api_token=api_token) if t.name == name), None)
    if tool is None:
        raise LookupError(f"Unknown tool {name!r}.")
    errors = sorted(
        Draft202012Validator(tool.input_schema).iter_errors(arguments),
        key=lambda e: list(e.absolute_path),
    )
    if errors:
        where = ".".join(map(str, errors[0].absolute_path)) or "(input)"
        raise ToolError(f"Invalid arguments: {where}: {errors[0].message}")
    wait = _rate_limited(api_token)
    if wait is not None:
        raise ToolError(f"Too many tool calls; retry in {wait} s.")
    execution = execution_start(
        workflow=tool.workflow,
        input=arguments,
        draft=False,
        started_by=api_token.user,
        mode=Execution.Mode.API,
    )
    deadline = time.monotonic() + float(getattr(settings, "MCP_TOOL_TIMEOUT_S", 30))
    while True:
        row = Execution.objects.filter(pk=execution.pk).values("status", "output", "error").get()
        if row["status"] == Execution.Status.SUCCEEDED:
            return {"execution_id": str(execution.pk), "output": row["output"]}
        if row["status"] in Execution.FINISHED:
            message = (
                (row["error"] or {}).get("message") if isinstance(row["error"], dict) else None
            )
            raise ToolError(
                f"The workflow run {execution.pk} ended {row['status']}"
                + (f": {message}" if message else ".")
            )
        if time.monotonic() >= deadline:
            raise ToolError(
                f"The workflow run {execution.pk} did not finish in time; it keeps running."
            )
        time.sleep(POLL_S)
