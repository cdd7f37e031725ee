from django.apps import AppConfig


class BlocksConfig(AppConfig):
    name = "apps.blocks"
    label = "blocks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.blocks.registry import autodiscover

        # Register built-in blocks and third-party entry points once, then freeze.
        autodiscover()
