"""webhook_response: the output is the HTTP answer the triggers app sends back."""

from __future__ import annotations

from apps.blocks.tests.test_catalog_http_request import run_block


def test_output_is_the_documented_contract():
    out = run_block(
        "webhook_response",
        payload={"name": "Ann"},
        status=201,
        headers={"X-Request-Id": "r-1", "Content-Type": "application/json"},
        body={"greeting": "Hello {{ trigger.name }}"},
    )
    assert out.status == "succeeded"
    assert out.steps["n"].output == {
        "status": 201,
        "headers": {"X-Request-Id": "r-1", "Content-Type": "application/json"},
        "body": {"greeting": "Hello Ann"},
    }


def test_defaults_answer_200_with_no_body():
    out = run_block("webhook_response")
    assert out.steps["n"].output == {"status": 200, "headers": {}, "body": None}


def test_status_from_an_expression_is_checked_at_run_time():
    out = run_block("webhook_response", payload={"code": 700}, status="{{ trigger.code }}")
    assert out.status == "failed" and out.error.node_id == "n"
    assert "status" in out.error.message


def test_server_owned_and_malformed_headers_are_refused():
    out = run_block("webhook_response", headers={"Content-Length": "5"})
    assert out.error.code == "invalid_config" and "Content-Length" in out.error.message
    bad = run_block("webhook_response", headers={"Bad Name": "x"})
    assert bad.error.code == "invalid_config"
    split = run_block(
        "webhook_response",
        payload={"v": "a\r\nSet-Cookie: x=1"},
        headers={"X-Echo": "{{ trigger.v }}"},
    )
    assert split.error.code == "invalid_config" and "line break" in split.error.message


def test_the_triggers_app_reads_the_output_as_an_answer():
    from apps.triggers.webhooks import _reply_from_step

    out = run_block("webhook_response", status=202, headers={"X-A": "1"}, body="queued")
    reply = _reply_from_step(out.steps["n"].output)
    assert (reply.status, reply.body, reply.content_type) == (202, "queued", "text/plain")
