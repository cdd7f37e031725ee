"""Storage owned by the blocks app: the vector store behind the ``vector_store`` block.

Blocks never touch this model; they reach it through the host service in
``apps.blocks.vectors`` (``ctx.services["vectors"]``).
"""

from __future__ import annotations

from django.db import models


class VectorItem(models.Model):
    """One vector of a named collection in a workspace.

    ``vector`` (JSON list, L2-normalised) is the portable copy every database has. On
    PostgreSQL with the pgvector extension, migration ``0002_pgvector`` adds an ``embedding``
    column of type ``vector`` that ``apps.blocks.vectors`` fills and queries with ``<=>``.
    """

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="vector_items"
    )
    collection = models.CharField(max_length=100)
    item_id = models.CharField(max_length=200)
    dim = models.PositiveIntegerField()
    vector = models.JSONField()
    text = models.TextField(blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    model = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "collection", "item_id"], name="vector_item_unique_id"
            ),
        ]
        indexes = [models.Index(fields=["workspace", "collection"], name="vector_item_collection")]

    def __str__(self) -> str:
        return f"{self.collection}/{self.item_id}"
