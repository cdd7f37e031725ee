"""Reads of the block catalogue for the API and the canvas palette."""

import dataclasses
from typing import Any

from apps.blocks.registry import RegisteredBlock, default_registry
from apps.blocks.sdk import Category


def _manifest(block: RegisteredBlock, versions: list[int]) -> dict[str, Any]:
    spec = block.spec
    return {
        "key": spec.key,
        "version": spec.version,
        "versions": versions,
        "title": spec.title,
        "category": str(spec.category),
        "icon": spec.icon,
        "description": spec.description,
        "config_schema": spec.config_schema,
        "ui": {name: hint.as_dict() for name, hint in spec.ui.items()},
        "inputs": list(spec.input_ports),
        "outputs": [*spec.output_ports, "error"],
        "output_fields": dict(spec.outputs),
        "dynamic_outputs": spec.dynamic_ports is not None,
        "has_body": spec.has_body,
        "policies": dataclasses.asdict(spec.policies),
        "deprecated": spec.deprecated,
        "deprecated_since": spec.deprecated_since.isoformat() if spec.deprecated_since else None,
    }


def block_catalog(*, include_deprecated: bool = False) -> list[dict[str, Any]]:
    """Latest version of every block, grouped by category in the palette's order."""
    order = {category.value: index for index, category in enumerate(Category)}
    groups: dict[str, list[dict[str, Any]]] = {}
    for block in default_registry.latest():
        if block.spec.deprecated and not include_deprecated:
            continue
        entry = _manifest(block, default_registry.versions(block.key))
        groups.setdefault(entry["category"], []).append(entry)
    return [
        {
            "key": key,
            "title": key.replace("_", " ").title(),
            "blocks": sorted(blocks, key=lambda b: b["title"]),
        }
        for key, blocks in sorted(groups.items(), key=lambda kv: order.get(kv[0], len(order)))
    ]


def block_manifest(*, key: str, version: int | None = None) -> dict[str, Any] | None:
    block = default_registry.find(key, version)
    if block is None:
        return None
    return _manifest(block, default_registry.versions(key))
