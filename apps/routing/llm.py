"""An OpenAI-compatible chat API client and the router's LLM fallback.

``POST {base}/chat/completions`` with ``messages`` and optional ``tools``; the answer's
``choices[0].message`` may carry ``tool_calls``. Calls go through the platform's outbound
client. The fallback offers the router's candidates as one forced function call whose
``route`` argument is an enum of their ids plus ``"none"``, so the model cannot invent a
route, and "none" is always a legitimate answer.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from apps.routing.http import ApiError, outbound_client, post_json
from apps.routing.routes import Route

__all__ = ["ChatClient", "LLMError", "choose_route"]


class LLMError(Exception):
    """The chat API failed or answered something unusable."""


@dataclass
class ChatClient:
    base_url: str
    model: str
    api_key: str = ""
    timeout: float = 60.0
    client: Any = None

    def __post_init__(self) -> None:
        if not self.base_url:
            raise LLMError("no chat API URL is configured")
        self.url = self.base_url.rstrip("/") + "/chat/completions"
        if self.client is None:
            self.client = outbound_client()

    def __repr__(self) -> str:  # no key
        return f"ChatClient(url={self.url!r}, model={self.model!r})"

    def complete(
        self,
        messages: list[dict[str, Any]],
        *,
        tools: list[dict[str, Any]] | None = None,
        tool_choice: Any = None,
        temperature: float = 0.0,
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """One completion: (assistant message, usage)."""
        body: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "temperature": temperature,
            "stream": False,
        }
        if tools:
            body["tools"] = tools
            if tool_choice is not None:
                body["tool_choice"] = tool_choice
        try:
            answer = post_json(
                self.client, self.url, body, api_key=self.api_key, timeout=self.timeout
            )
            message = answer["choices"][0]["message"]
        except ApiError as exc:
            raise LLMError(f"chat API: {exc}") from None
        except (KeyError, IndexError, TypeError):
            raise LLMError("chat API: unexpected answer shape") from None
        if not isinstance(message, dict):
            raise LLMError("chat API: the message is not an object")
        return message, answer.get("usage") or {}


def llm_from_settings() -> ChatClient | None:
    from apps.routing import conf

    url = conf.get("ROUTING_LLM_URL")
    if not url:
        return None
    return ChatClient(
        base_url=url, model=conf.get("ROUTING_LLM_MODEL"), api_key=conf.get("ROUTING_LLM_API_KEY")
    )


def choose_route(llm: ChatClient, query: str, routes: Sequence[Route]) -> tuple[Route | None, str]:
    """Ask the model to pick one of ``routes`` for ``query`` or none: (route|None, reason)."""
    by_id = {r.id: r for r in routes}
    listing = "\n".join(
        f"- {r.id}: {r.description or '; '.join(r.utterances[:3])}"[:400] for r in routes
    )
    tool = {
        "type": "function",
        "function": {
            "name": "select_route",
            "description": "Select the operation that does what the user asked, or none.",
            "parameters": {
                "type": "object",
                "required": ["route", "reason"],
                "additionalProperties": False,
                "properties": {
                    "route": {"type": "string", "enum": [*by_id, "none"]},
                    "reason": {"type": "string"},
                },
            },
        },
    }
    messages = [
        {
            "role": "system",
            "content": "You route user requests to API operations. Choose "
            "'none' unless one operation clearly does what the user asks.",
        },
        {"role": "user", "content": f"Request: {query}\n\nOperations:\n{listing}"},
    ]
    message, _ = llm.complete(
        messages,
        tools=[tool],
        tool_choice={"type": "function", "function": {"name": "select_route"}},
    )
    calls = message.get("tool_calls") or []
    if not calls:
        raise LLMError("the model did not call select_route")
    try:
        args = json.loads(calls[0]["function"]["arguments"] or "{}")
    except (KeyError, TypeError, ValueError):
        raise LLMError("select_route arguments are not JSON") from None
    picked = args.get("route")
    reason = str(args.get("reason", ""))[:300]
    if picked == "none":
        return None, reason or "no operation fits"
    if picked not in by_id:
        raise LLMError(f"the model chose an unknown route {picked!r}")
    return by_id[picked], reason
