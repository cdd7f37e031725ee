"""The outbound blocks are in the catalogue API with schemas, ports and policies."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

OUTBOUND = {
    "http_request": "http",
    "webhook_response": "webhook",
    "connector_operation": "http",
    "llm_chat": "llm",
    "embedding": "embedding",
    "vector_store": "vector_store",
    "send_email": "data",
}


def test_outbound_blocks_are_listed_with_schemas(api):
    body = api.get("/api/v1/blocks/").json()
    blocks = {b["key"]: (c["key"], b) for c in body["categories"] for b in c["blocks"]}
    for key, category in OUTBOUND.items():
        assert key in blocks, key
        listed_category, block = blocks[key]
        assert listed_category == category
        assert block["config_schema"]["type"] == "object"
        assert block["description"] and block["icon"]
        assert "error" in block["outputs"] and block["versions"] == [1]
        if key != "webhook_response":  # pure data: no I/O to bound
            assert block["policies"]["timeout_s"] > 0
    http = blocks["http_request"][1]
    assert http["config_schema"]["required"] == ["url"]
    assert http["policies"]["retry"]["max_attempts"] == 3
    assert blocks["llm_chat"][1]["policies"]["breaker"]["failure_threshold"] == 5
    assert set(blocks["llm_chat"][1]["output_fields"]) >= {"text", "usage", "tool_calls"}


def test_block_detail_of_an_outbound_block(api):
    detail = api.get("/api/v1/blocks/send_email/").json()
    assert detail["key"] == "send_email"
    assert set(detail["config_schema"]["required"]) == {"credential_id", "to", "subject"}


@pytest.mark.parametrize(
    "config",
    [
        {"url": 5},
        {"url": "https://x.test", "method": "BREW"},
        {"url": "https://x.test", "body_type": "form", "body": "not an object"},
    ],
)
def test_bad_http_request_config_is_refused_at_save_time(api, workspace, config):
    graph = {
        "nodes": [
            {
                "id": "t",
                "type": "manual_trigger",
                "position": {"x": 0, "y": 0},
                "data": {"config": {}},
            },
            {
                "id": "call",
                "type": "http_request",
                "position": {"x": 0, "y": 0},
                "data": {"config": config},
            },
        ],
        "edges": [{"id": "e", "source": "t", "target": "call"}],
    }
    response = api.post(
        "/api/v1/workflows/",
        {"workspace": str(workspace.pk), "name": "w", "graph": graph},
        format="json",
    )
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["type"] == "validation_error" and "call" in str(body)
