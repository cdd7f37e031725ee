"""Encoders: the offline MiniLM runtimes, the query cache and the embeddings-API encoder."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from apps.routing.encoders import CachedEncoder, EncoderError
from apps.routing.encoders.local import MiniLMEncoder
from apps.routing.encoders.remote import OpenAIEmbeddingsEncoder


def test_local_encoder_gives_normalised_vectors_that_rank_paraphrases_first(encoder):
    vectors = encoder.inner.encode(
        [
            "schedule a meeting with Ana tomorrow",
            "put an appointment with Ana on my calendar",
            "what is the weather on Mars",
        ]
    )
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


def test_batches_equal_single_encodes(encoder):
    texts = [
        "list open pull requests",
        "a much longer sentence about sending a message to the whole engineering channel in slack",
        "x",
    ]
    batch = encoder.inner.encode(texts)
    singles = np.stack([encoder.inner.encode([t])[0] for t in texts])
    assert np.allclose(batch, singles, atol=1e-4)  # padding never leaks into the pooling


def test_int8_runtime_agrees_with_pytorch_fp32(encoder, tmp_path):
    """The quantised ONNX export stays within 0.98 cosine of sentence-transformers itself."""
    torch_encoder = MiniLMEncoder(runtime="torch", cache_dir=encoder.inner.cache_dir)
    texts = [
        "create a calendar event",
        "delete the repository webhook",
        "Returns the list of invoices for a customer, newest first.",
    ]
    reference = torch_encoder.encode(texts)
    ours = encoder.inner.encode(texts)
    assert np.all(np.sum(reference * ours, axis=1) > 0.98)
    assert torch_encoder.key.endswith("/fp32") and encoder.key.endswith("/int8-1")


def test_unknown_runtime_is_refused():
    with pytest.raises(EncoderError, match="unknown runtime"):
        MiniLMEncoder(runtime="tensorrt")


def test_loading_never_touches_the_network(encoder, tmp_path):
    """A fresh process with every socket refused still loads the model and encodes."""
    script = textwrap.dedent(f"""
        import os, socket, sys
        sys.path.insert(0, {os.getcwd()!r})
        def refuse(*args, **kwargs):
            raise OSError("network access attempted")
        socket.socket.connect = refuse
        socket.create_connection = refuse
        os.environ.pop("HF_HUB_OFFLINE", None)
        from pathlib import Path
        from apps.routing.encoders.local import MiniLMEncoder
        for runtime in ("onnx-int8", "torch"):
            enc = MiniLMEncoder(runtime=runtime, cache_dir=Path({str(encoder.inner.cache_dir)!r}))
            assert enc.encode(["hello"]).shape == (1, 384)
        assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["TRANSFORMERS_OFFLINE"] == "1"
        print("offline-ok")
    """)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "offline-ok" in result.stdout


def test_missing_model_package_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("ROUTING_MODEL_PATH", str(tmp_path))
    with pytest.raises(EncoderError, match="no all-MiniLM-L6-v2 weights"):
        MiniLMEncoder(cache_dir=tmp_path)


class CountingEncoder:
    key = "counting"
    dim = 2

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts):
        self.calls += 1
        return np.ones((len(texts), 2), dtype=np.float32) / np.sqrt(2)


def test_query_cache_skips_the_model_for_repeated_queries():
    inner = CountingEncoder()
    cached = CachedEncoder(inner, size=2)
    for text in ("a", "b", "a", "a"):
        cached.encode([text])
    assert inner.calls == 2 and cached.hits == 2
    cached.encode(["c"])  # evicts "b" (least recently used)
    cached.encode(["a"])
    assert inner.calls == 3
    cached.encode(["b"])
    assert inner.calls == 4
    cached.encode(["x", "y"])  # batches bypass the cache
    assert inner.calls == 5


def test_openai_embeddings_encoder_against_a_local_server(fake_openai):
    enc = OpenAIEmbeddingsEncoder(
        base_url=fake_openai.url + "/v1", model="emb-test", api_key="sk-secret"
    )
    assert enc.dim == 64 and enc.key.startswith("openai:emb-test@")
    vectors = enc.encode(["send a message", "send a message now", "delete a file"])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]  # rows came back in input order
    assert fake_openai.api_key_seen[-1] == "Bearer sk-secret"
    assert "sk-secret" not in repr(enc)


def test_openai_embeddings_errors_are_encoder_errors(fake_openai, settings):
    enc = OpenAIEmbeddingsEncoder(base_url=fake_openai.url, model="m", dim=64)
    fake_openai.close()
    with pytest.raises(EncoderError, match="embeddings API"):
        enc.encode(["anything"])


def test_openai_encoder_goes_through_the_ssrf_guard(fake_openai, settings):
    settings.OUTBOUND_ALLOWLIST = []
    with pytest.raises(EncoderError, match="BlockedDestination"):
        OpenAIEmbeddingsEncoder(base_url=fake_openai.url, model="m")
