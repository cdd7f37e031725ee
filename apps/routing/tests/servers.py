"""Local HTTP servers the routing tests talk to (real sockets on 127.0.0.1, no mocks).

``FakeOpenAI`` speaks the OpenAI API: ``/embeddings`` answers deterministic bag-of-words
vectors, ``/chat/completions`` answers the scripted messages queued by the test (tool calls
included) and records every request. ``JsonApi`` is a small REST service for tool calls.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np


class _Server:
    def __init__(self, handler: Callable[[str, str, dict[str, str], Any], tuple[int, Any]]
                 ) -> None:
        outer = self
        self.requests: list[dict[str, Any]] = []

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode(errors="replace")
                headers = {k.lower(): v for k, v in self.headers.items()}
                outer.requests.append({"method": self.command, "path": self.path,
                                       "headers": headers, "body": body})
                status, payload = handler(self.command, self.path, headers, body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


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

    def reply(self, content: str | None = None, tool_calls: list[dict[str, Any]] | None = None
              ) -> None:
        message: dict[str, Any] = {"role": "assistant", "content": content}
        if tool_calls:
            message["tool_calls"] = [
                {"id": f"call_{i}_{len(self.script)}", "type": "function",
                 "function": {"name": c["name"], "arguments": json.dumps(c["arguments"])}}
                for i, c in enumerate(tool_calls)]
        self.script.append(message)

    def fail(self, status: int = 500) -> None:
        self.script.append(status)

    def chat_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"].endswith("/chat/completions")]

    def _answer(self, method: str, path: str, headers: dict[str, str], body: Any
                ) -> tuple[int, Any]:
        self.api_key_seen.append(headers.get("authorization", ""))
        if path.endswith("/embeddings"):
            texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
            return 200, {"object": "list", "model": body.get("model"), "data": [
                {"object": "embedding", "index": i, "embedding": bag_of_words(t)}
                for i, t in reversed(list(enumerate(texts)))]}
        if path.endswith("/chat/completions"):
            if not self.script:
                return 200, {"choices": [{"index": 0, "finish_reason": "stop", "message": {
                    "role": "assistant", "content": "nothing scripted"}}]}
            item = self.script.pop(0)
            if isinstance(item, int):
                return item, {"error": {"message": "scripted failure"}}
            return 200, {"id": "chatcmpl-test", "model": body.get("model"), "choices": [
                {"index": 0, "finish_reason": "tool_calls" if item.get("tool_calls") else
                 "stop", "message": item}],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}}
        return 404, {"error": "not found"}


class JsonApi(_Server):
    """A tiny calendar API: POST /events creates, GET /events lists."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        super().__init__(self._answer)

    def _answer(self, method: str, path: str, headers: dict[str, str], body: Any
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
