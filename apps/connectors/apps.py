from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    name = "apps.connectors"
    label = "connectors"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.connectors import checks  # noqa: F401  (registers the catalogue check)
