"""vector_store: the Django-side service (real database) and the block through the engine."""

from __future__ import annotations

import pytest

from apps.blocks.tests import test_catalog_embedding as embedding_tests
from apps.blocks.tests.test_catalog_http_request import run_block
from apps.blocks.vectors import VectorStore, VectorStoreError, pgvector_enabled

pytestmark = pytest.mark.django_db
encoder = embedding_tests.encoder  # fixture: the real local MiniLM encoder

DOCS = [
    {"id": "north", "vector": [0, 1, 0], "text": "up", "metadata": {"kind": "dir"}},
    {"id": "east", "vector": [1, 0, 0], "text": "right", "metadata": {"kind": "dir"}},
    {"id": "ne", "vector": [1, 1, 0], "text": "diagonal", "metadata": {"kind": "mix"}},
    {"id": "down", "vector": [0, -2, 0], "text": "down", "metadata": {"kind": "dir"}},
]


def test_upsert_and_top_k_cosine(workspace):
    store = VectorStore(workspace_id=workspace.pk)
    assert store.upsert(collection="docs", items=DOCS) == {"upserted": 4, "dim": 3}
    hits = store.query(collection="docs", vector=[0.1, 1, 0], top_k=2)
    assert [h["id"] for h in hits] == ["north", "ne"]
    assert hits[0]["score"] == pytest.approx(0.995037, abs=1e-5)
    assert hits[0]["text"] == "up" and hits[0]["metadata"] == {"kind": "dir"}
    everything = store.query(collection="docs", vector=[0, 1, 0], top_k=10)
    assert [h["id"] for h in everything] == ["north", "ne", "east", "down"]
    assert everything[-1]["score"] == pytest.approx(-1.0)


def test_filter_min_score_update_delete(workspace):
    store = VectorStore(workspace_id=workspace.pk)
    store.upsert(collection="docs", items=DOCS)
    only_dirs = store.query(
        collection="docs", vector=[1, 1, 0], top_k=5, filter={"kind": "dir"}, min_score=0.5
    )
    assert [h["id"] for h in only_dirs] == ["north", "east"]  # equal scores: insertion order
    store.upsert(
        collection="docs", items=[{"id": "east", "vector": [0, 0, 5], "metadata": {"kind": "z"}}]
    )
    assert store.count(collection="docs") == 4
    assert store.query(collection="docs", vector=[0, 0, 1], top_k=1)[0]["id"] == "east"
    assert store.delete(collection="docs", ids=["east", "nope"]) == 1
    assert store.count(collection="docs") == 3


def test_collections_are_scoped_to_the_workspace(workspace, other_workspace):
    VectorStore(workspace_id=workspace.pk).upsert(collection="docs", items=DOCS)
    other = VectorStore(workspace_id=other_workspace.pk)
    assert other.query(collection="docs", vector=[0, 1, 0]) == []
    other.upsert(collection="docs", items=[{"id": "north", "vector": [1, 2, 3, 4]}])
    mine = VectorStore(workspace_id=workspace.pk).query(collection="docs", vector=[0, 1, 0])
    assert mine[0]["metadata"] == {"kind": "dir"}


def test_bad_input_is_refused(workspace):
    store = VectorStore(workspace_id=workspace.pk)
    store.upsert(collection="docs", items=DOCS)
    with pytest.raises(VectorStoreError, match="3-dimensional"):
        store.upsert(collection="docs", items=[{"id": "x", "vector": [1, 2]}])
    with pytest.raises(VectorStoreError, match="3-dimensional"):
        store.query(collection="docs", vector=[1, 2])
    with pytest.raises(VectorStoreError, match="zero vector"):
        store.upsert(collection="docs", items=[{"id": "x", "vector": [0, 0, 0]}])
    with pytest.raises(VectorStoreError, match="collection name"):
        store.query(collection="../x", vector=[1, 0, 0])


def test_portable_backend_here():
    # No pgvector on this database (see the report); the JSON column answers queries.
    assert pgvector_enabled() is False


# The engine runs a block with a timeout in its own thread, so on its own connection: these
# tests commit for real instead of wrapping the test in a transaction.
@pytest.mark.django_db(transaction=True)
def test_block_upsert_then_query_through_the_engine(workspace):
    services = {"vectors": VectorStore(workspace_id=workspace.pk)}
    up = run_block(
        "vector_store",
        services=services,
        payload={"docs": DOCS},
        operation="upsert",
        collection="kb",
        items="{{ trigger.docs }}",
    )
    assert up.status == "succeeded", up.error
    assert up.steps["n"].output == {"upserted": 4, "dim": 3}
    query = run_block(
        "vector_store",
        services=services,
        operation="query",
        collection="kb",
        vector=[1, 0.2, 0],
        top_k=2,
        filter={"kind": "dir"},
    )
    assert [m["id"] for m in query.steps["n"].output["matches"]] == ["east", "north"]
    bad = run_block(
        "vector_store", services=services, operation="query", collection="kb", vector=[1, 0]
    )
    assert bad.error.code == "invalid_input" and "3-dimensional" in bad.error.message
    gone = run_block(
        "vector_store", services=services, operation="delete", collection="kb", ids=["east"]
    )
    assert gone.steps["n"].output == {"deleted": 1}


@pytest.mark.django_db(transaction=True)
def test_block_embeds_texts_with_the_local_encoder(workspace, encoder):
    services = {"vectors": VectorStore(workspace_id=workspace.pk), "encoder": encoder}
    items = [
        {"id": "1", "text": "How do I reset my password?"},
        {"id": "2", "text": "Opening hours of the Berlin office"},
        {"id": "3", "text": "Refund policy for cancelled orders"},
    ]
    up = run_block(
        "vector_store", services=services, operation="upsert", collection="faq", items=items
    )
    assert up.steps["n"].output == {"upserted": 3, "dim": 384}
    query = run_block(
        "vector_store",
        services=services,
        operation="query",
        collection="faq",
        text="I forgot my login password",
        top_k=1,
    )
    match = query.steps["n"].output["matches"][0]
    assert match["id"] == "1" and match["text"] == items[0]["text"] and match["score"] > 0.5


def test_block_without_the_service_says_so():
    out = run_block("vector_store", operation="query", collection="kb", vector=[1.0])
    assert out.error.code == "not_configured" and "vectors" in out.error.message
