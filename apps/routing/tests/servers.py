"""Local HTTP servers the routing tests talk to (real sockets on 127.0.0.1, no mocks).

``FakeOpenAI`` speaks the OpenAI API: ``/embeddings`` answers deterministic bag-of-words
vectors, ``/chat/completions`` answers the scripted messages queued by the test (tool calls
included) and records every request. ``JsonApi`` is a small REST service for tool calls.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from apps.connectors.outbound.testing import LocalServer, Recorded, Reply


class _Server:
    """A LocalServer, started at once, answering JSON from ``handler(method, path, headers,
    body)``; every request is kept in ``requests`` (headers lower-cased, JSON body decoded)."""

    def __init__(self, handler: Callable[[str, str, dict[str, str], Any], tuple[int, Any]]) -> None:
        self.requests: list[dict[str, Any]] = []
        self._handler = handler
        self.server = LocalServer(default=self._serve).__enter__()
        self.port = self.server.port
        self.url = self.server.url("")

    def _serve(self, recorded: Recorded) -> Reply:
        try:
            body = json.loads(recorded.body) if recorded.body else None
        except ValueError:
            body = recorded.body.decode(errors="replace")
        headers = {k.lower(): v for k, v in recorded.headers.items()}
        self.requests.append(
            {"method": recorded.method, "path": recorded.path, "headers": headers, "body": body}
        )
        status, payload = self._handler(recorded.method, recorded.path, headers, body)
        return Reply(status, {"Content-Type": "application/json"}, json.dumps(payload).encode())

    def close(self) -> None:
        self.server.__exit__(None, None, None)


def bag_of_words(text: str, dim: int = 64) -> list[float]:
    vector = np.zeros(dim)
    for word in re.findall(r"[a-z]+", text.lower()):
        vector[int(hashlib.sha256(word.encode()).hexdigest()[:8], 16) % dim] += 1.0
    return vector.tolist()


class FakeOpenAI(_Server):
    def __init__(self) -> None:
        self.script: list[dict[str, Any] | int] = []
        self.api_key_seen: list[str] = []
        super().__init__(self._answer)

    def reply(
        self, content: str | None = None, tool_calls: list[dict[str, Any]] | None = None
    ) -> None:
        message: dict[str, Any] = {"role": "assistant", "content": content}
        if tool_calls:
            message["tool_calls"] = [
                {
                    "id": f"call_{i}_{len(self.script)}",
                    "type": "function",
                    "function": {"name": c["name"], "arguments": json.dumps(c["arguments"])},
                }
                for i, c in enumerate(tool_calls)
            ]
        self.script.append(message)

    def fail(self, status: int = 500) -> None:
        self.script.append(status)

    def chat_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"].endswith("/chat/completions")]

    def _answer(
        self, method: str, path: str, headers: dict[str, str], body: Any
    ) -> tuple[int, Any]:
        self.api_key_seen.append(headers.get("authorization", ""))
        if path.endswith("/embeddings"):
            texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
            return 200, {
                "object": "list",
                "model": body.get("model"),
                "data": [
                    {"object": "embedding", "index": i, "embedding": bag_of_words(t)}
                    for i, t in reversed(list(enumerate(texts)))
                ],
            }
        if path.endswith("/chat/completions"):
            if not self.script:
                return 200, {
                    "choices": [
                        {
                            "index": 0,
                            "finish_reason": "stop",
                            "message": {"role": "assistant", "content": "nothing scripted"},
                        }
                    ]
                }
            item = self.script.pop(0)
            if isinstance(item, int):
                return item, {"error": {"message": "scripted failure"}}
            return 200, {
                "id": "chatcmpl-test",
                "model": body.get("model"),
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "tool_calls" if item.get("tool_calls") else "stop",
                        "message": item,
                    }
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
            }
        return 404, {"error": "not found"}


class JsonApi(_Server):
    """A tiny calendar API: POST /events creates, GET /events lists."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        super().__init__(self._answer)

    def _answer(
        self, method: str, path: str, headers: dict[str, str], body: Any
    ) -> tuple[int, Any]:
        if path.startswith("/events") and method == "POST":
            if not isinstance(body, dict) or "summary" not in body:
                return 400, {"error": "summary is required"}
            event = {"id": str(len(self.events) + 1), **body}
            self.events.append(event)
            return 201, event
        if path.startswith("/events") and method == "GET":
            return 200, {"items": self.events}
        return 404, {"error": "not found"}
