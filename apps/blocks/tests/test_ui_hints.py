"""Form hints: refused at registration when they name what the block does not have, and
published by the blocks API in the shape its schema declares."""

from __future__ import annotations

import pytest

from apps.blocks.api.serializers import BlockCatalogOutput, BlockManifestOutput
from apps.blocks.registry import BlockRegistry, RegistryError
from apps.blocks.sdk import BlockResult, BlockSpec, Category, UiHint

SCHEMA = {
    "type": "object",
    "properties": {"url": {"type": "string"}, "mode": {"enum": ["a", "b"]}},
}


def execute(ctx, config, inputs):
    return BlockResult(outputs={})


def register(ui: dict) -> None:
    spec = BlockSpec(
        key="hinted", version=1, title="Hinted", category=Category.DATA, config_schema=SCHEMA, ui=ui
    )
    BlockRegistry().register(spec, execute)


def test_valid_hints_register():
    register({"url": UiHint(inline=True, placeholder="https://"), "mode": UiHint(widget="select")})


@pytest.mark.parametrize(
    ("ui", "message"),
    [
        ({"url": UiHint(widget="wysiwyg")}, "unknown widget 'wysiwyg'"),
        ({"uri": UiHint(inline=True)}, "unknown config field 'uri'"),
        ({"url": UiHint(show_when={"kind": "a"})}, "show_when names unknown config field 'kind'"),
        ({"url": UiHint(inline=True, hidden=True)}, "both inline and hidden"),
        ({"url": {"widget": "code"}}, "must be a UiHint"),
    ],
)
def test_bad_hints_fail_registration_naming_the_block(ui, message):
    with pytest.raises(RegistryError, match=message) as caught:
        register(ui)
    assert "block 'hinted' v1" in str(caught.value)


@pytest.mark.django_db
def test_api_publishes_hints_in_the_declared_shape(api):
    body = api.get("/api/v1/blocks/", {"deprecated": "true"}).json()
    # The response schema covers every key: serializing the answer again changes nothing.
    assert BlockCatalogOutput(body).data == body
    detail = api.get("/api/v1/blocks/http_request/").json()
    assert BlockManifestOutput(detail).data == detail
    ui = detail["ui"]
    assert ui["url"]["inline"] is True and ui["method"]["inline"] is True
    assert ui["headers"]["widget"] == "key_value"
    assert ui["body"]["show_when"] == {"body_type": ["json", "form", "raw"]}
    webhook = api.get("/api/v1/blocks/webhook_trigger/").json()["ui"]
    assert webhook["method"]["hidden"] is True and not webhook["methods"]["hidden"]
