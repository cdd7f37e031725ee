from typing import Any

from django.apps import AppConfig


def _sync_triggers(sender: Any, *, workflow: Any, **kwargs: Any) -> None:
    """Triggers follow the workflow's live version (workflows cannot import triggers)."""
    from apps.triggers.services import trigger_sync_for_workflow

    trigger_sync_for_workflow(workflow=workflow)


def _register_sealed_secret() -> None:
    """Key rotation re-seals trigger signing secrets with the AAD they were sealed under."""
    from apps.credentials.sealed import SealedColumn, sealed_column_register
    from apps.triggers.models import Trigger
    from apps.triggers.services import _aad

    sealed_column_register(
        SealedColumn(
            name="trigger_secrets",
            model=Trigger,
            field="secret_ciphertext",
            aad=lambda row: _aad(row).encode(),
        )
    )


class TriggersConfig(AppConfig):
    name = "apps.triggers"
    label = "triggers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.workflows.signals import live_version_changed

        live_version_changed.connect(_sync_triggers, dispatch_uid="triggers.sync_for_workflow")
        _register_sealed_secret()
