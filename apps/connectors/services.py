"""Writes to the connector catalogue: OpenAPI import (upsert), catalogue load, enable/disable
and local-edit tracking (the connection test is ``health``).

The import is an upsert keyed by connector slug and operation key. Fields listed in a row's
``locally_edited`` were changed by an operator and are never overwritten; operations that
left the document are disabled rather than deleted (workflows may still name them).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify

from apps.connectors.catalog import Catalog, read_catalog
from apps.connectors.clients import outbound_client
from apps.connectors.exceptions import ImportFailed
from apps.connectors.models import Connector, ConnectorOperation
from apps.connectors.openapi import (
    ApiSpec,
    OpenAPIError,
    ParseOptions,
    load_document,
    parse_document,
    short_title,
)
from apps.connectors.openapi.categories import guess_category

if TYPE_CHECKING:
    from apps.connectors.outbound import OutboundClient

logger = logging.getLogger(__name__)

IMPORT_MAX_BYTES = 64 * 1024 * 1024
_OPERATION_METHODS = frozenset(ConnectorOperation.Method.values)


@dataclass
class ImportReport:
    connector: Connector
    created: bool = False
    skipped: bool = False  # the same document was imported before: nothing to write
    operations_created: int = 0
    operations_updated: int = 0
    operations_retired: int = 0
    kept_local_edits: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.skipped:
            return f"{self.connector.slug}: unchanged"
        verb = "created" if self.created else "updated"
        text = (
            f"{self.connector.slug}: {verb}; operations +{self.operations_created} "
            f"~{self.operations_updated} -{self.operations_retired}"
        )
        if self.kept_local_edits:
            text += f"; kept {len(self.kept_local_edits)} local edit(s)"
        return text


def _tool_defaults(name: str, spec: ApiSpec) -> dict[str, str]:
    """Role/goal/backstory for the tool wrapper, unless the catalogue or an operator set them."""
    about = spec.description.split("\n", 1)[0][:400]
    return {
        "tool_role": f"{name} operator"[:200],
        "tool_goal": f"Carry out the {name} operations a workflow step asks for, with the "
        f"parameters it gives, and report the result.",
        "tool_backstory": about or f"Knows the {name} API and its operations.",
    }


def _connector_values(spec: ApiSpec, fields: Mapping[str, Any]) -> dict[str, Any]:
    name = str(fields.get("name") or spec.title)[:120]
    values: dict[str, Any] = {
        "name": name,
        "icon": spec.icon if len(spec.icon) <= 300 else "",
        "description": spec.description,
        "docs_url": spec.docs_url,
        "base_url": spec.base_url,
        "auth_schemes": [scheme.to_dict() for scheme in spec.auth_schemes],
        "version": spec.version[:40],
        "health_check_operation": spec.health_check_operation,
        "utterances": list(spec.utterances),
        **_tool_defaults(short_title(name), spec),
    }
    unknown = set(fields) - set(Connector.IMPORTED_FIELDS)
    if unknown:
        raise ImportFailed(f"Unknown connector fields: {', '.join(sorted(unknown))}.")
    values.update(fields)
    return values


def _operation_values(op: Any) -> dict[str, Any]:
    return {
        "name": op.name[:200],
        "method": op.method,
        "path": op.path[:500],
        "description": op.description,
        "parameters_schema": op.parameters_schema,
        "body_schema": op.body_schema,
        "body_content_type": op.body_content_type[:100],
        "utterances": list(op.utterances),
        "tags": list(op.tags),
        "deprecated": op.deprecated,
        "enabled": True,
    }


def _digest(slug: str, spec: ApiSpec, fields: Mapping[str, Any]) -> str:
    payload = json.dumps(
        {"slug": slug, "spec": spec.to_dict(), "fields": dict(fields)},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def default_slug(title: str) -> str:
    """A connector slug from an API title: "Gmail API" -> "gmail"."""
    return slugify(short_title(title))[:80].strip("-") or "connector"


def connector_import_spec(
    *,
    spec: ApiSpec,
    slug: str | None = None,
    category: str | None = None,
    fields: Mapping[str, Any] | None = None,
    source: str = "",
    force: bool = False,
) -> ImportReport:
    """Create or update a connector and its operations from a parsed document."""
    fields = dict(fields or {})
    slug = slugify(slug or default_slug(spec.title))[:80]
    if not slug:
        raise ImportFailed("The connector needs a slug.")
    if category is not None and category not in Connector.Category.values:
        raise ImportFailed(
            f"Unknown category {category!r}.",
            fields={"category": [f"Choose one of {Connector.Category.values}."]},
        )
    if not spec.operations:
        raise ImportFailed("The document describes no operations.")
    digest = _digest(slug, spec, fields)
    with transaction.atomic():
        connector = Connector.objects.select_for_update().filter(slug=slug).first()
        created = connector is None
        if connector is None:
            connector = Connector(slug=slug, category=category or guess_category(spec.categories))
        elif (
            connector.import_digest == digest
            and not force
            and (category in (None, connector.category) or "category" in connector.locally_edited)
        ):
            return ImportReport(connector=connector, skipped=True)
        report = ImportReport(connector=connector, created=created, warnings=list(spec.warnings))
        values = _connector_values(spec, fields)
        if category is not None:
            values["category"] = category
        edited = set(connector.locally_edited or [])
        for name, value in values.items():
            if not created and name in edited:
                if getattr(connector, name) != value:
                    report.kept_local_edits.append(name)
                continue
            setattr(connector, name, value)
        connector.source = source[:500]
        connector.import_digest = digest
        connector.imported_at = timezone.now()
        connector.save()
        _upsert_operations(connector, spec, report)
        if (
            connector.health_check_operation
            and not connector.operations.filter(key=connector.health_check_operation).exists()
        ):
            report.warnings.append(
                f"health-check operation {connector.health_check_operation!r} does not exist"
            )
    logger.debug(
        "connectors.imported",
        extra={"connector": slug, "new": created, "operations": len(spec.operations)},
    )
    return report


def _upsert_operations(connector: Connector, spec: ApiSpec, report: ImportReport) -> None:
    existing = {op.key: op for op in connector.operations.all()}
    to_create: list[ConnectorOperation] = []
    to_update: list[ConnectorOperation] = []
    update_fields: set[str] = set()
    seen: set[str] = set()
    for op_spec in spec.operations:
        if op_spec.method not in _OPERATION_METHODS or op_spec.key in seen:
            continue
        seen.add(op_spec.key)
        values = _operation_values(op_spec)
        op = existing.get(op_spec.key)
        if op is None:
            to_create.append(ConnectorOperation(connector=connector, key=op_spec.key, **values))
            continue
        edited = set(op.locally_edited or [])
        changed = False
        for name, value in values.items():
            if getattr(op, name) == value:
                continue
            if name in edited:
                report.kept_local_edits.append(f"{op.key}.{name}")
                continue
            setattr(op, name, value)
            update_fields.add(name)
            changed = True
        if changed:
            to_update.append(op)
    for key, op in existing.items():
        if key not in seen and op.enabled and "enabled" not in (op.locally_edited or []):
            op.enabled = False
            update_fields.add("enabled")
            to_update.append(op)
            report.operations_retired += 1
    ConnectorOperation.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        ConnectorOperation.objects.bulk_update(to_update, sorted(update_fields), batch_size=500)
    report.operations_created = len(to_create)
    report.operations_updated = len(to_update) - report.operations_retired


def connector_import_document(
    *,
    data: bytes | str,
    source: str = "",
    slug: str | None = None,
    category: str | None = None,
    name: str | None = None,
    source_url: str = "",
    options: ParseOptions | None = None,
    force: bool = False,
) -> ImportReport:
    """Parse an OpenAPI 3 / Swagger 2.0 document (YAML or JSON) and import it."""
    if len(data) > IMPORT_MAX_BYTES:
        raise ImportFailed(f"The document is larger than {IMPORT_MAX_BYTES} bytes.")
    try:
        spec = parse_document(load_document(data), options=options, source_url=source_url)
    except OpenAPIError as exc:
        raise ImportFailed(str(exc)) from None
    fields = {"name": name} if name else {}
    report = connector_import_spec(
        spec=spec, slug=slug, category=category, fields=fields, source=source, force=force
    )
    logger.info(
        "connectors.document_imported",
        extra={
            "connector": report.connector.slug,
            "new": report.created,
            "operations_created": report.operations_created,
            "operations_updated": report.operations_updated,
            "operations_retired": report.operations_retired,
            "local_edits_kept": len(report.kept_local_edits),
        },
    )
    return report


def openapi_fetch(*, url: str, client: OutboundClient | None = None) -> bytes:
    """Download a document through the guarded client (SSRF checks, size and time limits)."""
    from apps.connectors.outbound import OutboundError

    client = client or outbound_client()
    try:
        response = client.request(
            "GET",
            url,
            timeout=(5.0, 60.0),
            max_response_bytes=IMPORT_MAX_BYTES,
            headers={"Accept": "application/json, application/yaml, text/yaml, */*;q=0.5"},
        )
    except OutboundError as exc:
        raise ImportFailed(f"Could not fetch the document: {exc}") from None
    if response.status >= 400:
        raise ImportFailed(f"Fetching the document answered HTTP {response.status}.")
    return response.body


@dataclass
class CatalogLoadReport:
    source: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    operations: int = 0
    kept_local_edits: int = 0
    reports: list[ImportReport] = field(default_factory=list)


def catalog_load(
    *,
    path: Path | str | None = None,
    force: bool = False,
    only: Iterable[str] | None = None,
    catalog: Catalog | None = None,
) -> CatalogLoadReport:
    """Upsert every connector of the shipped catalogue through ``connector_import_spec``."""
    catalog = catalog or read_catalog(path)
    wanted = set(only or [])
    result = CatalogLoadReport(source=catalog.source_label)
    for entry in catalog.entries:
        if wanted and entry["slug"] not in wanted:
            continue
        spec = ApiSpec.from_dict(entry["spec"])
        report = connector_import_spec(
            spec=spec,
            slug=entry["slug"],
            category=entry.get("category"),
            fields=entry.get("fields") or {},
            force=force,
            source=f"{catalog.source_label}:{entry.get('source', '')}",
        )
        result.reports.append(report)
        result.operations += len(spec.operations)
        result.kept_local_edits += len(report.kept_local_edits)
        if report.skipped:
            result.unchanged += 1
        elif report.created:
            result.created += 1
        else:
            result.updated += 1
    return result


def local_edits_merge(
    *, current: Iterable[str], changed: Iterable[str], tracked: Iterable[str]
) -> list[str]:
    """``locally_edited`` after an operator changed ``changed`` (only imported fields count)."""
    return sorted(set(current) | (set(changed) & set(tracked)))


def connector_set_enabled(*, connectors: QuerySet[Connector], enabled: bool) -> int:
    """Enable or disable connectors; returns how many changed."""
    return connectors.exclude(enabled=enabled).update(enabled=enabled, updated_at=timezone.now())


def connector_forget_local_edits(*, connectors: QuerySet[Connector]) -> int:
    """Let the next import overwrite everything again (connector and operation fields)."""
    with transaction.atomic():
        ConnectorOperation.objects.filter(connector__in=connectors).exclude(
            locally_edited=[]
        ).update(locally_edited=[])
        return connectors.update(locally_edited=[], import_digest="")
