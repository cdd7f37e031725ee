"""The API's JSON parser: DRF's, behind the one JSON boundary (apps.workspaces.json_boundary)."""

from typing import Any

from rest_framework.parsers import JSONParser

from apps.workspaces import json_boundary


class BoundedJSONParser(JSONParser):
    """Strict JSON: NaN/Infinity, NUL, lone surrogates and deep nesting answer 400."""

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: dict[str, Any] | None = None,
    ) -> Any:
        return json_boundary.loads(stream.read() if stream is not None else b"")
