"""Local ``$ref`` resolution with a bound on reference depth and on the work per call.

Only references inside the document (``#/...``) are followed; external files and URLs are
replaced by a placeholder and reported. A reference to a schema already being expanded
(a cycle), or one nested deeper than ``max_depth`` references, is cut: the result carries the
target's type and title and an ``x-ref-cut`` marker instead of its body. The ``budget``
counts nodes copied per ``resolve`` call so one pathological schema (or a YAML alias bomb)
cannot blow up memory: once spent, further references are cut too.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

MISSING = object()


class RefResolver:
    def __init__(self, document: Any, *, max_depth: int = 6, budget: int = 20_000) -> None:
        self.document = document
        self.max_depth = max_depth
        self.budget = budget
        self.warnings: list[str] = []
        self._remaining = budget

    def lookup(self, ref: str) -> Any:
        """The node a local JSON pointer (``#/components/schemas/Pet``) names, or MISSING."""
        if not ref.startswith("#"):
            return MISSING
        node = self.document
        pointer = unquote(ref[1:])
        if not pointer:
            return node
        for raw in pointer.lstrip("/").split("/"):
            part = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return MISSING
        return node

    def deref(self, node: Any) -> Any:
        """Follow a chain of ``$ref`` at the top of ``node`` only (parameters, bodies)."""
        seen: set[str] = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if ref in seen:
                self._warn(f"reference cycle at {ref}")
                return {}
            seen.add(ref)
            target = self.lookup(ref)
            if target is MISSING:
                self._warn(f"unresolved reference {ref}")
                return {}
            node = target
        return node

    def resolve(self, node: Any) -> Any:
        """A copy of ``node`` with every local reference expanded (within the bounds)."""
        self._remaining = self.budget
        return self._resolve(node, ())

    def _resolve(self, node: Any, stack: tuple[str, ...]) -> Any:
        self._remaining -= 1
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                return self._expand(node, ref, stack)
            return {str(key): self._resolve(value, stack) for key, value in node.items()}
        if isinstance(node, list):
            return [self._resolve(item, stack) for item in node]
        return node

    def _expand(self, node: dict[str, Any], ref: str, stack: tuple[str, ...]) -> Any:
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        target = self.lookup(ref)
        if target is MISSING:
            self._warn(
                f"unresolved reference {ref}"
                if ref.startswith("#")
                else f"external reference {ref} not followed"
            )
            result: Any = {"x-ref-cut": ref}
        elif ref in stack or len(stack) >= self.max_depth or self._remaining <= 0:
            result = self._cut(ref, target)
        else:
            result = self._resolve(target, (*stack, ref))
        if siblings and isinstance(result, dict):
            # OpenAPI 3.1 allows description/summary beside $ref; they win over the target's.
            result = {**result, **self._resolve(siblings, stack)}
        return result

    @staticmethod
    def _cut(ref: str, target: Any) -> dict[str, Any]:
        cut: dict[str, Any] = {"x-ref-cut": ref.rsplit("/", 1)[-1]}
        if isinstance(target, dict):
            if isinstance(target.get("type"), str | list):
                cut["type"] = target["type"]
            if isinstance(target.get("title"), str):
                cut["title"] = target["title"]
        return cut

    def _warn(self, message: str) -> None:
        if message not in self.warnings and len(self.warnings) < 50:
            self.warnings.append(message)
