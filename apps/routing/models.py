"""Routing state in the database: imported route maps, persisted utterance vectors, fits.

Vectors live in the database (not in a process) so every web and worker replica reuses
what one of them encoded: a worker that starts on an unchanged catalogue encodes nothing.
"""

from django.conf import settings
from django.db import models


class RouteMap(models.Model):
    """One connector's imported route map, in the design's JSON format (normalised)."""

    connector = models.SlugField(max_length=80, unique=True)
    data = models.JSONField()
    content_hash = models.CharField(max_length=64)
    source = models.CharField(max_length=500, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["connector"]

    def __str__(self) -> str:
        return self.connector

    @property
    def route_count(self) -> int:
        return len(self.data.get("routes", []))


class UtteranceVector(models.Model):
    """An encoder's vector for one text, keyed by the encoder and the text's SHA-256."""

    encoder = models.CharField(max_length=120)
    text_sha = models.CharField(max_length=64)
    vector = models.BinaryField()  # float32, little-endian

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["encoder", "text_sha"], name="routing_vector_unique_text"
            )
        ]


class RouterFit(models.Model):
    """Parameters fitted from labelled examples; the newest one is what routers use."""

    params = models.JSONField()
    summary = models.JSONField(default=dict)
    dataset = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class RouterEvaluation(models.Model):
    """The summary of one evaluation run (accuracy, per-route precision/recall, latency)."""

    dataset = models.CharField(max_length=500)
    summary = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
