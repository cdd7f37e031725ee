import pytest

pytestmark = pytest.mark.django_db


def test_catalogue_groups_blocks_with_schemas(api):
    body = api.get("/api/v1/blocks/").json()
    keys = [c["key"] for c in body["categories"]]
    assert keys[0] == "trigger" and len(keys) == len(set(keys))
    blocks = {b["key"]: b for c in body["categories"] for b in c["blocks"]}
    for key in (
        "manual_trigger",
        "transform",
        "condition",
        "switch",
        "loop",
        "merge",
        "delay",
        "wait",
        "sub_workflow",
        "set_variables",
        "stop_and_fail",
        "filter",
        "aggregate",
    ):
        assert key in blocks, key
        assert blocks[key]["config_schema"]["type"] == "object"
        assert "error" in blocks[key]["outputs"]
    assert {"true", "false"} <= set(blocks["condition"]["outputs"])
    assert blocks["loop"]["has_body"] is True


def test_block_detail_and_unknown_block(api):
    detail = api.get("/api/v1/blocks/transform/")
    assert detail.status_code == 200 and detail.json()["versions"] == [1]
    missing = api.get("/api/v1/blocks/nope/")
    assert missing.status_code == 404 and missing.json()["type"] == "not_found"


def test_catalogue_needs_authentication(client):
    assert client.get("/api/v1/blocks/").status_code == 401
