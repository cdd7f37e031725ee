from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_refresh_task(**kwargs: Any) -> None:
    """post_migrate: the beat row that refreshes expiring OAuth tokens."""
    from django.conf import settings

    from apps.core.beat import periodic_task_ensure

    periodic_task_ensure(
        name="Credential refresh",
        task="credentials.refresh_expiring",
        every_seconds=settings.CREDENTIAL_REFRESH_INTERVAL_SECONDS,
        queue="housekeeping",
    )


def _register_sealed_columns() -> None:
    from apps.credentials.models import Credential, OAuthAuthorization
    from apps.credentials.sealed import SealedColumn, sealed_column_register

    sealed_column_register(
        SealedColumn(
            name="credentials",
            model=Credential,
            field="sealed",
            aad=lambda row: row.aad,
            key_id_field="key_id",
        )
    )
    sealed_column_register(
        SealedColumn(
            name="oauth_authorizations",
            model=OAuthAuthorization,
            field="sealed_verifier",
            aad=lambda row: row.aad,
        )
    )


class CredentialsConfig(AppConfig):
    name = "apps.credentials"
    label = "credentials"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.credentials import connector_use, tasks  # noqa: F401  (tasks: Celery)

        connector_use.register()

        _register_sealed_columns()
        post_migrate.connect(
            ensure_refresh_task, sender=self, dispatch_uid="credentials.ensure_refresh_task"
        )
