"""embedding: the local MiniLM encoder (real model, offline) and an OpenAI-compatible API."""

from __future__ import annotations

import json
import math

import pytest

from apps.blocks.tests import test_catalog_http_request as shared
from apps.blocks.tests.test_catalog_http_request import Secrets, reply_json, run_block
from apps.connectors.outbound import BearerToken
from apps.connectors.outbound.testing import Recorded, Reply

server, http = shared.server, shared.http  # fixtures


@pytest.fixture(scope="module")
def encoder(tmp_path_factory):
    """The routing app's default encoder (all-MiniLM-L6-v2 from the installed package)."""
    from apps.routing.encoders import local

    return local.MiniLMEncoder(runtime="torch", cache_dir=tmp_path_factory.mktemp("model"))


def dot(a, b):
    return sum(x * y for x, y in zip(a, b, strict=True))


def test_local_encoder_vectors_are_normalised_and_semantic(encoder):
    out = run_block(
        "embedding",
        services={"encoder": encoder},
        texts=[
            "a cat sleeps on the mat",
            "a kitten naps on a rug",
            "the stock market fell sharply",
        ],
    )
    assert out.status == "succeeded", out.error
    output = out.steps["n"].output
    assert output["dim"] == 384 and output["count"] == 3
    assert output["model"].startswith("all-MiniLM-L6-v2@")
    cat, kitten, stocks = output["vectors"]
    assert all(math.isclose(math.sqrt(dot(v, v)), 1.0, rel_tol=1e-5) for v in output["vectors"])
    assert dot(cat, kitten) > 0.5 > dot(cat, stocks)
    json.dumps(output)  # plain JSON, no numpy types


def test_single_text_gives_vector(encoder):
    out = run_block(
        "embedding", services={"encoder": encoder}, payload={"t": "hello"}, text="{{ trigger.t }}"
    )
    output = out.steps["n"].output
    assert output["count"] == 1 and output["vector"] == output["vectors"][0]


def embeddings_server(recorded: Recorded) -> Reply:
    """Answers like /v1/embeddings, deliberately out of index order."""
    if recorded.headers.get("Authorization") != "Bearer emb-key":
        return reply_json({"error": {"message": "bad key"}}, status=401)
    request = json.loads(recorded.body)
    data = [
        {"object": "embedding", "index": i, "embedding": [float(len(t)), 0.0, 3.0]}
        for i, t in enumerate(request["input"])
    ]
    return reply_json(
        {
            "object": "list",
            "data": list(reversed(data)),
            "model": request["model"],
            "usage": {"prompt_tokens": 4, "total_tokens": 4},
        }
    )


def test_openai_compatible_provider(server, http):
    server.route("/v1/embeddings", embeddings_server)
    out = run_block(
        "embedding",
        http=http,
        secrets=Secrets(auth={"e": BearerToken("emb-key")}),
        provider="openai",
        base_url=server.url("/v1"),
        model="text-embedding-3-small",
        credential_id="e",
        texts=["abcd", "ab"],
        normalize=False,
    )
    assert out.status == "succeeded", out.error
    output = out.steps["n"].output
    assert output["vectors"] == [[4.0, 0.0, 3.0], [2.0, 0.0, 3.0]]
    assert output["usage"] == {"prompt_tokens": 4, "total_tokens": 4}
    assert output["model"] == "text-embedding-3-small"
    assert json.loads(server.requests[0].body) == {
        "model": "text-embedding-3-small",
        "input": ["abcd", "ab"],
    }
    normalised = run_block(
        "embedding",
        http=http,
        secrets=Secrets(auth={"e": BearerToken("emb-key")}),
        provider="openai",
        base_url=server.url("/v1"),
        credential_id="e",
        text="abcd",
    )
    assert normalised.steps["n"].output["vector"] == [0.8, 0.0, 0.6]


def test_missing_encoder_and_empty_input_are_clear_errors():
    out = run_block("embedding", text="x")
    assert out.error.code == "not_configured" and "encoder" in out.error.message
    empty = run_block("embedding", services={"encoder": object()})
    assert empty.error.code == "invalid_config"
