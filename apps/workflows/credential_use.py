"""Tells the credentials app which workflows name a credential (its usage endpoint)."""

from __future__ import annotations

from typing import Any

from apps.credentials.usage import CredentialUse, usage_finder_register
from apps.workflows.selectors import workflow_list_using_credential


def workflows_using(workspace_id: Any, credential_id: Any) -> list[CredentialUse]:
    return [
        CredentialUse(id=w.pk, name=w.name, status=w.status)
        for w in workflow_list_using_credential(
            workspace_id=workspace_id, credential_id=credential_id
        )
    ]


def register() -> None:
    usage_finder_register("workflows", workflows_using)
