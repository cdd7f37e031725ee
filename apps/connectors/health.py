"""Connection tests: one request to a connector's health-check operation through the
guarded outbound client, answered as a ConnectionCheck (never an exception for a refusal)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from apps.connectors.clients import outbound_client
from apps.connectors.exceptions import ConnectionTestFailed
from apps.connectors.models import Connector, ConnectorOperation

if TYPE_CHECKING:
    from apps.connectors.outbound import AuthInjector, OutboundClient, OutboundResponse


@dataclass(frozen=True)
class ConnectionCheck:
    ok: bool
    detail: str
    status: int | None = None
    elapsed_ms: int = 0
    # The start of the upstream's answer (body text), for a person checking the connection.
    answer: str = ""


ANSWER_CHARS = 500


def answer_excerpt(response: OutboundResponse) -> str:
    """The first ANSWER_CHARS characters of a response body, as text."""
    text = bytes(response.body[: ANSWER_CHARS * 4]).decode("utf-8", errors="replace")
    return text[:ANSWER_CHARS] + ("…" if len(text) > ANSWER_CHARS else "")


_PATH_PARAM = re.compile(r"{([^}/]+)}")


def _health_request(
    connector: Connector, op: ConnectorOperation
) -> tuple[str, list[tuple[str, str]]]:
    """URL and query for the health-check call, filled from schema defaults."""
    properties = (
        op.parameters_schema.get("properties", {}) if isinstance(op.parameters_schema, dict) else {}
    )
    required = (
        set(op.parameters_schema.get("required", []))
        if isinstance(op.parameters_schema, dict)
        else set()
    )
    values: dict[str, Any] = {}
    for name, schema in properties.items():
        if isinstance(schema, dict) and "default" in schema:
            values[name] = schema["default"]
        elif name in required:
            raise ConnectionTestFailed(
                f"The health-check operation {op.key!r} needs the parameter {name!r}; give it "
                "a default in the operation's parameters schema or choose another operation."
            )

    def fill(match: re.Match[str]) -> str:
        return quote(str(values.get(match.group(1), "")), safe="")

    url = connector.base_url.rstrip("/") + "/" + _PATH_PARAM.sub(fill, op.path).lstrip("/")
    query = [
        (name, str(value))
        for name, value in values.items()
        if properties.get(name, {}).get("x-in") == "query"
    ]
    return url, query


def connector_test_connection(
    *,
    connector: Connector,
    auth_injector: AuthInjector | None = None,
    client: OutboundClient | None = None,
) -> ConnectionCheck:
    """Call the connector's health-check operation through the guarded client.

    Without ``auth_injector`` this proves the API is reachable and answers; with the
    workspace credential's injector it proves the credential works.
    TODO(issue 6): pass the stored credential's injector once the credential store resolves
    one per connector (the admin action tests reachability only until then).
    """
    from apps.connectors.outbound import OutboundError

    if not connector.health_check_operation:
        raise ConnectionTestFailed(f"{connector.name} has no health-check operation.")
    op = connector.operations.filter(key=connector.health_check_operation).first()
    if op is None:
        raise ConnectionTestFailed(
            f"The health-check operation {connector.health_check_operation!r} does not exist."
        )
    if not urlsplit(connector.base_url).scheme:
        raise ConnectionTestFailed(f"{connector.name} has no base URL.")
    url, query = _health_request(connector, op)
    client = client or outbound_client()
    started = time.monotonic()
    try:
        response = client.request(
            op.method,
            url,
            params=query,
            auth_injector=auth_injector,
            timeout=(5.0, 15.0),
            max_response_bytes=1024 * 1024,
        )
    except OutboundError as exc:
        return ConnectionCheck(
            ok=False,
            detail=f"Unreachable: {exc}",
            elapsed_ms=int((time.monotonic() - started) * 1000),
        )
    elapsed = int(response.elapsed * 1000)
    answer = answer_excerpt(response)
    if response.ok:
        return ConnectionCheck(
            ok=True,
            status=response.status,
            elapsed_ms=elapsed,
            detail=f"{op.key} answered HTTP {response.status}.",
            answer=answer,
        )
    if response.status in (401, 403):
        detail = f"Reachable; {op.key} answered HTTP {response.status}: " + (
            "it needs a credential." if auth_injector is None else "the credential was refused."
        )
    else:
        detail = f"{op.key} answered HTTP {response.status}."
    return ConnectionCheck(
        ok=False, status=response.status, elapsed_ms=elapsed, detail=detail, answer=answer
    )
