"""Celery entrypoints of the routing queue. Thin: each calls one service; safe to run twice
(vectors are keyed by text, so a second run finds them all stored and encodes nothing)."""

from celery import shared_task


@shared_task(
    name="routing.prepare_vectors",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=3300,
    time_limit=3600,
)
def prepare_vectors_task() -> None:
    """Encode and store every utterance that has no vector yet, then build the router."""
    from django.core.cache import cache

    from apps.routing.services import router_get

    try:
        router_get(force=True)
    finally:
        cache.delete("routing:prepare-queued")
