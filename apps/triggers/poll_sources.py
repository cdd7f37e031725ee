"""What a polling source may name, checked when the trigger is saved for a workspace.

A ``connector`` source names a read (GET) operation of the catalogue, its arguments and a
credential; an ``http`` source may name a credential instead of plaintext headers. Both are
checked against the live catalogue and the workspace's credentials at publish, so a mistake
is a field error on the trigger node (``config.source.operation``), not a failing poll later.
An id of another workspace reads exactly like an unknown one (apps/workflows/references.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from apps.connectors.models import Connector
from apps.connectors.selectors import connector_operation_for_run
from apps.credentials import kinds
from apps.credentials.exceptions import CredentialNotFound
from apps.credentials.selectors import credential_get_in_workspace
from apps.triggers.registry import Problems

SOURCE = "config.source"


def source_problems(config: Mapping[str, Any], workspace_id: Any) -> Problems:
    """The source's catalogue operation and credential, against the workspace's data."""
    source = config.get("source") or {}
    problems: Problems = {}
    slug = None
    if source.get("kind") == "connector":
        slug = str(source.get("connector") or "")
        problems.update(_operation_problems(config, source, slug))
    if source.get("credential_id"):
        problems.update(_credential_problems(str(source["credential_id"]), workspace_id, slug))
    elif slug and not problems and _needs_credential(slug):
        problems[f"{SOURCE}.credential_id"] = [
            f"Connector {slug!r} needs a credential: choose one of this workspace."
        ]
    return problems


def _operation_problems(
    config: Mapping[str, Any], source: Mapping[str, Any], slug: str
) -> Problems:
    key = str(source.get("operation") or "")
    if not slug:
        return {f"{SOURCE}.connector": ["A connector is required."]}
    if not key:
        return {f"{SOURCE}.operation": ["An operation is required."]}
    operation = connector_operation_for_run(slug=slug, key=key)
    if operation is None:
        if not Connector.objects.filter(slug=slug, enabled=True).exists():
            return {f"{SOURCE}.connector": [f"No enabled connector {slug!r} in the catalogue."]}
        return {f"{SOURCE}.operation": [f"Connector {slug!r} has no enabled operation {key!r}."]}
    if operation["method"] != "GET":
        return {
            f"{SOURCE}.operation": [
                f"{slug}.{key} is a {operation['method']} operation; polling reads, so it "
                "needs a GET (list or read) operation."
            ]
        }
    schema = operation.get("parameters_schema") or {}
    problems = _argument_problems(schema, source.get("arguments") or {})
    param = config.get("cursor_param")
    declared = schema.get("properties") if isinstance(schema, Mapping) else None
    if param and declared and param not in declared:
        problems["config.cursor_param"] = [f"{param!r} is not a parameter of {slug}.{key}."]
    return problems


def _argument_problems(schema: Any, arguments: Any) -> Problems:
    if not isinstance(schema, Mapping) or not schema:
        return {}
    try:
        errors = list(Draft202012Validator(dict(schema)).iter_errors(arguments))
    except SchemaError:
        return {f"{SOURCE}.operation": ["The catalogue's parameter schema of it is invalid."]}
    problems: Problems = {}
    for error in errors:
        parts = [str(p) for p in error.absolute_path]
        missing = re.match(r"'([^']+)'", error.message) if error.validator == "required" else None
        if missing:
            parts.append(missing.group(1))
        path = ".".join([f"{SOURCE}.arguments", *parts])
        problems.setdefault(path, []).append(error.message)
    return problems


def _credential_problems(credential_id: str, workspace_id: Any, slug: str | None) -> Problems:
    field = f"{SOURCE}.credential_id"
    if "{{" in credential_id:
        return {field: ["A polling source has no run context: name the credential by its id."]}
    try:
        credential = credential_get_in_workspace(
            workspace_id=workspace_id, credential_id=credential_id
        )
    except CredentialNotFound:
        return {field: ["No credential with this id in this workspace."]}
    if credential.kind not in kinds.INJECTORS:
        return {field: [f"A {credential.get_kind_display()} credential cannot sign HTTP calls."]}
    if slug and credential.connector is not None and credential.connector.slug != slug:
        return {
            field: [
                f"Credential {credential.name!r} is for connector "
                f"{credential.connector.slug!r}, not {slug!r}."
            ]
        }
    return {}


def _needs_credential(slug: str) -> bool:
    schemes = Connector.objects.filter(slug=slug).values_list("auth_schemes", flat=True).first()
    return bool(schemes)
