"""Django's own request and security log lines, as the configured console handler prints them:
no query value and no webhook token (both can be credentials)."""

from __future__ import annotations

import io
import json
import logging

import pytest

from config.logfmt import RequestLines

SECRET = "qs-LOGCANARY-1b2c3d"


@pytest.fixture
def console_lines():
    """What the configured console handler would print (its filters and formatter) to a buffer."""
    console = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.filters = list(console.filters)
    handler.setFormatter(console.formatter)
    logging.getLogger().addHandler(handler)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    logging.getLogger().removeHandler(handler)


def test_a_security_line_quotes_the_request_without_its_query_values(client, console_lines):
    response = client.get(f"/health?token={SECRET}&page=2", HTTP_HOST="evil.example")
    assert response.status_code == 400
    [line] = [
        line for line in console_lines() if line["logger"] == "django.security.DisallowedHost"
    ]
    assert line["request"] == "<WSGIRequest: GET '/health?token=[Filtered]&page=[Filtered]'>"
    assert "evil.example" in line["event"]  # the message itself is kept
    assert SECRET not in json.dumps(line)


def test_a_request_line_keeps_six_characters_of_a_webhook_token():
    record = logging.makeLogRecord(
        {
            "name": "django.request",
            "msg": "Service Unavailable: %s",
            "args": ("/hooks/abcdef123456789?sig=" + SECRET,),
            "request": ["/hooks/test/abcdefXYZ"],
        }
    )
    for _ in range(2):  # once per handler that carries the filter: the same result
        assert RequestLines().filter(record)
        assert record.getMessage() == "Service Unavailable: /hooks/abcdef...?sig=[Filtered]"
        assert record.request == "['/hooks/test/abcdef...']"  # the repr of what was there


def test_other_loggers_are_left_alone():
    record = logging.makeLogRecord({"name": "apps.triggers", "msg": "/hooks/abcdef123456?a=b"})
    RequestLines().filter(record)
    assert record.getMessage() == "/hooks/abcdef123456?a=b"
