from typing import Any

from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "apps.routing"
    label = "routing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from celery.signals import worker_process_init
        from django.db.models.signals import post_delete, post_save

        from apps.connectors.models import Connector, ConnectorOperation

        # Catalogue edits change routes: tell every process (cheap; no rebuild here).
        for model in (Connector, ConnectorOperation):
            post_save.connect(_catalog_changed, sender=model, dispatch_uid=f"routing-{model}")
            post_delete.connect(_catalog_changed, sender=model,
                                dispatch_uid=f"routing-del-{model}")
        worker_process_init.connect(_warm_in_background, dispatch_uid="routing-warm",
                                    weak=False)


def _catalog_changed(**kwargs: Any) -> None:
    from django.db import transaction

    from apps.routing.services import routing_changed

    transaction.on_commit(routing_changed)


def _warm_in_background(**kwargs: Any) -> None:
    """Each worker process builds its router right after start, off the init path
    (Celery kills a child whose init takes longer than a few seconds)."""
    import threading

    from apps.routing import conf

    if not conf.get("ROUTING_WARM_ON_START"):
        return

    def warm() -> None:
        import logging

        from django.db import close_old_connections

        from apps.routing.services import router_warm

        try:
            router_warm()
        except Exception:  # a cold router still works: it builds on the first query
            logging.getLogger("apps.routing").exception("routing.warm_failed")
        finally:
            close_old_connections()

    threading.Thread(target=warm, name="routing-warm", daemon=True).start()
