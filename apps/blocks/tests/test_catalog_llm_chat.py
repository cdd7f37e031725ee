"""llm_chat against a small OpenAI-compatible chat server on 127.0.0.1."""

from __future__ import annotations

import json
import time

from apps.blocks.tests import test_catalog_http_request as shared
from apps.blocks.tests.test_catalog_http_request import Secrets, reply_json, run_block
from apps.connectors.outbound import BearerToken
from apps.connectors.outbound.testing import Recorded, Reply

server, http = shared.server, shared.http  # fixtures
API_KEY = "sk-test-0123456789"


def chat_server(recorded: Recorded) -> Reply:
    """Answers like api.openai.com/v1/chat/completions (non-streaming)."""
    if recorded.headers.get("Authorization") != f"Bearer {API_KEY}":
        return reply_json(
            {
                "error": {
                    "message": "Incorrect API key provided",
                    "type": "invalid_request_error",
                    "code": "invalid_api_key",
                }
            },
            status=401,
        )
    request = json.loads(recorded.body)
    prompt_tokens = sum(len(str(m.get("content", "")).split()) for m in request["messages"])
    if request.get("tools"):
        message = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_abc123",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                }
            ],
        }
        finish, completion_tokens = "tool_calls", 17
    else:
        last = request["messages"][-1]["content"]
        message = {"role": "assistant", "content": f"You said: {last}", "refusal": None}
        finish, completion_tokens = "stop", 3 + len(last.split())
    return reply_json(
        {
            "id": "chatcmpl-9xyz",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": f"{request['model']}-2024-07-18",
            "system_fingerprint": "fp_test",
            "choices": [
                {"index": 0, "message": message, "logprobs": None, "finish_reason": finish}
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
                "prompt_tokens_details": {"cached_tokens": 0},
            },
        }
    )


def test_chat_records_text_and_usage(server, http):
    server.route("/v1/chat/completions", chat_server)
    out = run_block(
        "llm_chat",
        http=http,
        secrets=Secrets(auth={"oa": BearerToken(API_KEY)}),
        payload={"q": "hello there"},
        base_url=server.url("/v1"),
        model="gpt-4o-mini",
        credential_id="oa",
        system="Be brief.",
        prompt="{{ trigger.q }}",
        temperature=0.2,
        max_tokens=50,
    )
    assert out.status == "succeeded", out.error
    output = out.steps["n"].output
    assert output["text"] == "You said: hello there"
    assert output["usage"] == {"prompt_tokens": 4, "completion_tokens": 5, "total_tokens": 9}
    assert output["model"] == "gpt-4o-mini-2024-07-18" and output["id"] == "chatcmpl-9xyz"
    assert output["finish_reason"] == "stop" and output["tool_calls"] == []
    sent = json.loads(server.requests[0].body)
    assert sent["stream"] is False and sent["temperature"] == 0.2 and sent["max_tokens"] == 50
    assert sent["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "hello there"},
    ]


def test_tool_calls_are_passed_through(server, http):
    server.route("/v1/chat/completions", chat_server)
    tools = [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
            },
        }
    ]
    out = run_block(
        "llm_chat",
        http=http,
        secrets=Secrets(auth={"oa": BearerToken(API_KEY)}),
        base_url=server.url("/v1"),
        model="gpt-4o-mini",
        credential_id="oa",
        messages=[{"role": "user", "content": "Weather in Paris?"}],
        tools=tools,
        tool_choice="auto",
    )
    output = out.steps["n"].output
    assert output["text"] == "" and output["finish_reason"] == "tool_calls"
    assert output["tool_calls"][0]["function"] == {
        "name": "get_weather",
        "arguments": '{"city": "Paris"}',
    }
    assert json.loads(server.requests[0].body)["tools"] == tools


def test_wrong_key_is_not_retried_and_rate_limit_is(server, http):
    server.route("/v1/chat/completions", chat_server)
    out = run_block(
        "llm_chat",
        http=http,
        secrets=Secrets(auth={"oa": BearerToken("bad")}),
        base_url=server.url("/v1"),
        model="m",
        credential_id="oa",
        prompt="hi",
    )
    assert out.error.code == "http_401" and out.error.retryable is False
    assert (
        "Incorrect API key" in out.error.message
        and "bad" not in out.error.message.split("answered")[0]
    )
    server.route(
        "/v2/chat/completions",
        reply_json({"error": {"message": "Rate limit reached"}}, status=429),
        reply_json(
            {
                "choices": [
                    {"message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}
                ]
            }
        ),
    )
    again = run_block("llm_chat", http=http, base_url=server.url("/v2"), model="m", prompt="hi")
    assert again.status == "succeeded" and again.steps["n"].attempts == 2
    assert again.steps["n"].output["usage"] == {
        "prompt_tokens": 0,
        "completion_tokens": 0,
        "total_tokens": 0,
    }


def test_an_answer_without_choices_is_a_clear_error(server, http):
    server.route("/v1/chat/completions", reply_json({"object": "list", "data": []}))
    out = run_block("llm_chat", http=http, base_url=server.url("/v1"), model="m", prompt="hi")
    assert out.error.code == "invalid_response" and "choices" in out.error.message


def test_nothing_to_say_is_a_config_error(http):
    out = run_block("llm_chat", http=http, model="m")
    assert out.error.code == "invalid_config"
