from django.apps import AppConfig


class ObservabilityConfig(AppConfig):
    name = "apps.observability"
    label = "observability"

    def ready(self) -> None:
        from apps.observability import signals  # noqa: F401 (connects the Celery hooks)
