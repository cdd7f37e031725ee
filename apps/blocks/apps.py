from django.apps import AppConfig


class BlocksConfig(AppConfig):
    name = "apps.blocks"
    label = "blocks"
    default_auto_field = "django.db.models.BigAutoField"
