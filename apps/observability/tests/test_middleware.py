"""Request ids: accepted or made, returned on every response, on every log line of the request."""

from __future__ import annotations

import logging
import re

import pytest

from apps.observability.context import LogIdsFilter
from apps.triggers.models import Trigger
from apps.triggers.services import trigger_secret_rotate
from apps.triggers.tests.factories import published_workflow


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def collected():
    handler = Collect()
    root = logging.getLogger()
    handler.addFilter(LogIdsFilter())  # as LOGGING's console handler has it
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)


def test_the_configured_console_handler_carries_the_filter():
    consoles = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    assert consoles and all(any(isinstance(f, LogIdsFilter) for f in h.filters) for h in consoles)


def test_a_request_id_is_made_when_none_is_given(client):
    response = client.get("/health")
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert client.get("/health")["X-Request-ID"] != response["X-Request-ID"]


@pytest.mark.parametrize("offered", ["abc-123", "req_7f3a:9", "a" * 128])
def test_a_plain_request_id_is_kept(client, offered):
    assert client.get("/health", HTTP_X_REQUEST_ID=offered)["X-Request-ID"] == offered


@pytest.mark.parametrize("offered", ["a" * 129, "has space", 'quote"', "line\nbreak", "é"])
def test_an_unfit_request_id_is_replaced(client, offered):
    returned = client.get("/health", HTTP_X_REQUEST_ID=offered)["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", returned)


@pytest.mark.django_db
def test_refusals_carry_it_too(client):
    response = client.get("/api/v1/workflows/", HTTP_X_REQUEST_ID="refused-1")
    assert response.status_code in (401, 403)
    assert response["X-Request-ID"] == "refused-1"
    assert client.get("/no/such/page", HTTP_X_REQUEST_ID="lost-1")["X-Request-ID"] == "lost-1"


@pytest.mark.django_db
def test_log_lines_of_the_request_carry_its_id(client, collected, workspace, user):
    workflow = published_workflow(
        workspace=workspace,
        user=user,
        block_type="webhook_trigger",
        config={"verification": {"preset": "github"}},
    )
    trigger = Trigger.objects.get(workflow=workflow)
    trigger_secret_rotate(trigger=trigger, secret="gh-secret-123")
    response = client.generic(
        "POST",
        f"/hooks/{trigger.webhook_token}",
        b"{}",
        content_type="application/json",
        HTTP_X_REQUEST_ID="hook-42",
    )
    assert response.status_code == 401
    rejected = [r for r in collected.records if r.getMessage() == "webhook.rejected"]
    assert rejected and rejected[0].request_id == "hook-42"
    logging.getLogger("after").warning("outside")
    assert not hasattr(collected.records[-1], "request_id")  # unbound when the request ends
