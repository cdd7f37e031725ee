from django.apps import AppConfig
from django.db.models.signals import post_migrate


class WorkflowsConfig(AppConfig):
    name = "apps.workflows"
    label = "workflows"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported before a worker forks its pool, so that the children share its flag.
        import apps.workflows.runtime.shutdown  # noqa: F401
        from apps.observability.exposition import scrape_collector_register
        from apps.workflows import connector_use, credential_use, routing_prior
        from apps.workflows.beat import ensure_platform_tasks
        from apps.workflows.scrape import ExecutionsCollector

        scrape_collector_register(ExecutionsCollector())

        connector_use.register()
        credential_use.register()
        routing_prior.register()

        post_migrate.connect(ensure_platform_tasks, sender=self)
