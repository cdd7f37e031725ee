from typing import Any

from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "apps.routing"
    label = "routing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from celery.signals import worker_ready
        from django.db.models.signals import post_delete, post_save

        from apps.connectors.models import Connector, ConnectorOperation

        # Catalogue edits change routes: tell every process (cheap; no rebuild here).
        for model in (Connector, ConnectorOperation):
            post_save.connect(_catalog_changed, sender=model, dispatch_uid=f"routing-{model}")
            post_delete.connect(_catalog_changed, sender=model, dispatch_uid=f"routing-del-{model}")
        worker_ready.connect(_prepare_on_start, dispatch_uid="routing-prepare-on-start", weak=False)


def _catalog_changed(**kwargs: Any) -> None:
    from django.db import transaction

    from apps.routing.services import routing_changed

    transaction.on_commit(routing_changed)


def _prepare_on_start(sender: Any = None, **kwargs: Any) -> None:
    """A worker that consumes the routing queue queues one ``routing.prepare_vectors`` when
    it starts, so a freshly loaded catalogue is encoded on the routing queue rather than by the
    first query. No process loads the encoder or the route index at start: each builds its
    router on first use (so Celery's prefork children of the execution worker hold no model
    unless a run routes), and the minutes-long first encode never takes an execution slot."""
    from apps.routing import conf

    if not conf.get("ROUTING_WARM_ON_START"):
        return
    try:
        consumed = set(sender.app.amqp.queues.consume_from or ())
    except AttributeError:
        return
    if "routing" not in consumed:
        return
    import logging

    from apps.routing.services import _prepare_in_background

    try:
        _prepare_in_background()
    except Exception:  # the cache or the broker is down: the first query queues it instead
        logging.getLogger("apps.routing").exception("routing.prepare_on_start_failed")
