from django.apps import AppConfig
from django.db.models.signals import post_migrate


class WorkflowsConfig(AppConfig):
    name = "apps.workflows"
    label = "workflows"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.workflows import connector_use
        from apps.workflows.beat import ensure_platform_tasks

        connector_use.register()

        post_migrate.connect(ensure_platform_tasks, sender=self)
