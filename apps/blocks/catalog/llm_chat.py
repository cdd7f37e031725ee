"""LLM chat: one OpenAI-compatible ``POST {base_url}/chat/completions`` call, streaming off.

Works with OpenAI and every server that speaks its API (vLLM, Ollama, llama.cpp, LiteLLM,
Azure-style gateways); ``base_url`` is the part before ``/chat/completions``. The API key
comes from ``credential_id`` through ``ctx.secrets.auth_for`` (normally a bearer token).
Messages are ``system`` (if set), then ``messages``, then ``prompt`` as a user message.

Output: ``text`` (the first choice's content, "" when it only called tools), ``message``
(the assistant message as returned, to append to a conversation), ``tool_calls`` (passed
through as returned, [] when none), ``finish_reason``, ``model``, ``id`` and ``usage``
(``prompt_tokens``, ``completion_tokens``, ``total_tokens``; zeros when the server sends
none, so downstream sums never break). 5xx, 429 and timeouts are retried; a block-wide
breaker stops hammering a provider that is down.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apps.blocks.catalog import _outbound
from apps.blocks.sdk import (
    BlockContext,
    BlockError,
    BlockResult,
    BlockSpec,
    BreakerPolicy,
    Category,
    Policies,
    RetryPolicy,
    register,
)

KEY = "llm_chat"
MESSAGE = {
    "type": "object",
    "required": ["role"],
    "properties": {
        "role": {"enum": ["system", "developer", "user", "assistant", "tool"]},
        "content": {"type": ["string", "array", "null"]},
    },
}

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["model"],
    "properties": {
        "base_url": {
            "type": "string",
            "minLength": 1,
            "maxLength": 2000,
            "default": "https://api.openai.com/v1",
        },
        "model": {"type": "string", "minLength": 1, "maxLength": 200},
        "credential_id": {"type": ["string", "null"], "default": None},
        "system": {"type": ["string", "null"], "default": None},
        "messages": {"type": "array", "items": MESSAGE, "default": []},
        "prompt": {"type": ["string", "null"], "default": None},
        "temperature": {"type": ["number", "null"], "minimum": 0, "maximum": 2, "default": None},
        "max_tokens": {"type": ["integer", "null"], "minimum": 1, "default": None},
        "top_p": {"type": ["number", "null"], "minimum": 0, "maximum": 1, "default": None},
        "stop": {
            "type": ["array", "null"],
            "items": {"type": "string"},
            "maxItems": 4,
            "default": None,
        },
        "json_mode": {
            "type": "boolean",
            "default": False,
            "description": "Ask for a JSON object (response_format json_object).",
        },
        "tools": {
            "type": ["array", "null"],
            "items": {"type": "object"},
            "default": None,
            "description": "OpenAI tool definitions, passed through.",
        },
        "tool_choice": {"default": None},
        "timeout_s": {"type": "number", "exclusiveMinimum": 0, "maximum": 600, "default": 120},
    },
}

SPEC = BlockSpec(
    key=KEY,
    version=1,
    title="LLM chat",
    category=Category.LLM,
    icon="message-square",
    description="Ask a chat model (OpenAI-compatible API); records token usage.",
    config_schema=CONFIG_SCHEMA,
    outputs={
        "text": "string",
        "message": "object",
        "tool_calls": "array",
        "finish_reason": "string",
        "model": "string",
        "id": "string",
        "usage": "object",
    },
    policies=Policies(
        timeout_s=630,
        retry=RetryPolicy(max_attempts=3, backoff="exponential", base_s=2.0, max_s=60.0),
        breaker=BreakerPolicy(failure_threshold=5, reset_after_s=60.0),
    ),
)


def build_messages(config: Mapping[str, Any]) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    if config.get("system"):
        messages.append({"role": "system", "content": str(config["system"])})
    for item in config.get("messages") or []:
        if not isinstance(item, Mapping) or "role" not in item:
            raise BlockError(f"{KEY}: each message needs a role and content", code="invalid_config")
        messages.append(dict(item))
    if config.get("prompt"):
        messages.append({"role": "user", "content": str(config["prompt"])})
    if not messages:
        raise BlockError(
            f"{KEY}: give a prompt, messages or a system message", code="invalid_config"
        )
    return messages


def _usage(raw: Any) -> dict[str, int]:
    raw = raw if isinstance(raw, Mapping) else {}
    usage = {
        name: int(raw.get(name) or 0)
        for name in ("prompt_tokens", "completion_tokens", "total_tokens")
    }
    if not usage["total_tokens"]:
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
    return usage


@register(SPEC)
@_outbound.parks_when_told_to_wait
def execute(ctx: BlockContext, config: Mapping[str, Any], inputs: Mapping[str, Any]) -> BlockResult:
    """Send the conversation, return the first choice and the token usage."""
    payload: dict[str, Any] = {
        "model": config["model"],
        "messages": build_messages(config),
        "stream": False,
    }
    for name in ("temperature", "max_tokens", "top_p", "stop", "tools", "tool_choice"):
        if config.get(name) is not None:
            payload[name] = config[name]
    if config.get("json_mode"):
        payload["response_format"] = {"type": "json_object"}
    url = str(config.get("base_url") or "https://api.openai.com/v1").rstrip("/")
    url += "/chat/completions"
    host = _outbound.host_of(url)
    response = _outbound.request(
        ctx,
        KEY,
        "POST",
        url,
        json=payload,
        timeout=_outbound.timeout_for(ctx, float(config.get("timeout_s", 120))),
        credential_id=config.get("credential_id"),
    )
    redact = _outbound.redactor(ctx, config.get("credential_id"))
    if not 200 <= response.status < 300:
        raise _outbound.status_error(KEY, response, host, redact)
    answer = _outbound.decode_body(KEY, response, "json", 0, redact)
    try:
        choice = answer["choices"][0]
        message = dict(choice["message"])
    except (KeyError, IndexError, TypeError):
        raise BlockError(
            f"{KEY}: {host!r} answered without choices[0].message: "
            f"{_outbound.snippet(response, 200)}",
            code="invalid_response",
        ) from None
    content = message.get("content")
    if isinstance(content, list):  # content parts: keep the text ones
        content = "".join(str(p.get("text", "")) for p in content if isinstance(p, Mapping))
    tool_calls = message.get("tool_calls") or []
    usage = _usage(answer.get("usage"))
    # A LoggerAdapter replaces ``extra``, so the numbers go into the message itself.
    ctx.logger.info(
        "llm_chat.finished model=%s prompt_tokens=%d completion_tokens=%d total_tokens=%d",
        answer.get("model") or config["model"],
        usage["prompt_tokens"],
        usage["completion_tokens"],
        usage["total_tokens"],
    )
    return BlockResult(
        outputs={
            "text": content or "",
            "message": message,
            "tool_calls": tool_calls,
            "finish_reason": choice.get("finish_reason") or "",
            "model": answer.get("model") or config["model"],
            "id": answer.get("id") or "",
            "usage": usage,
        }
    )
