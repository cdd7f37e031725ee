"""The fetch of a poll: one request to the source, unlocked, answered as parsed JSON.

An ``http`` source goes through the platform's guarded client (SSRF policy and
``OUTBOUND_ALLOWLIST``; no inline retries, the trigger's back-off retries), with its
``credential_id`` injected by the credential store (an OAuth token is refreshed once on a 401).
A ``connector`` source is run by the connector-operation block itself
(``apps.workflows.block_host.catalogue_call``): the catalogue's request building, parameter
validation, rate limit, retry and breaker, the credential and redaction. Either way the
secrets the fetch resolved are scrubbed from the data before it can reach a run's input.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from functools import cache
from typing import Any

from apps.blocks.sdk import BlockError
from apps.core.resilience.retry import parse_retry_after


class PollFailed(Exception):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@cache
def outbound_client() -> Any:
    """The platform's guarded client (SSRF policy and allow-list from settings)."""
    from apps.connectors.clients import outbound_client
    from apps.connectors.outbound.policies import NO_RETRY, TargetPolicy

    # No inline retries: a failed poll is retried by the trigger's own back-off.
    return outbound_client(
        default_target=TargetPolicy(retry=NO_RETRY), timeout=(5.0, 20.0), total_timeout=60.0
    )


def fetch(config: dict[str, Any], cursor: dict[str, Any], *, workspace_id: Any) -> Any:
    """The source's parsed JSON response (secrets scrubbed), or PollFailed."""
    from apps.credentials.resolver import run_scrub

    source = config["source"]
    since = cursor.get("hwm") if config.get("cursor_param") else None
    scrub_id = f"poll:{uuid.uuid4()}"  # the secrets this fetch resolves, for run_scrub
    if source.get("kind") == "connector":
        data = _connector(source, config.get("cursor_param"), since, workspace_id, scrub_id)
    else:
        data = _http(source, config.get("cursor_param"), since, workspace_id, scrub_id)
    return run_scrub(scrub_id, data)


def _connector(
    source: dict[str, Any], param: str | None, since: Any, workspace_id: Any, scrub_id: str
) -> Any:
    from apps.workflows.block_host import catalogue_call

    arguments = dict(source.get("arguments") or {})
    if param and since is not None:
        arguments[param] = since
    try:
        result = catalogue_call(
            workspace_id=workspace_id,
            execution_id=scrub_id,
            node_id=f"poll:{source['connector']}.{source['operation']}",
            idempotency_key=scrub_id,
            connector=str(source["connector"]),
            operation=str(source["operation"]),
            parameters=arguments,
            credential_id=source.get("credential_id"),
            http=outbound_client(),
        )
    except BlockError as exc:
        raise PollFailed(exc.message, retry_after=getattr(exc, "retry_after", None)) from None
    park = result.park
    if park is not None:  # the source asked for a long pause
        wait = (park.until - datetime.now(UTC)).total_seconds() if park.until else None
        raise PollFailed(park.reason or "The source asked to wait.", retry_after=wait)
    body = result.outputs.get("body")
    if isinstance(body, str):
        raise PollFailed("The source did not answer JSON.")
    return body


def _http(
    source: dict[str, Any], param: str | None, since: Any, workspace_id: Any, scrub_id: str
) -> Any:
    from apps.connectors.outbound.errors import OutboundError, RateLimited
    from apps.credentials.resolver import WorkspaceSecrets

    params = dict(source.get("query") or {})
    if param and since is not None:
        params[param] = since
    method, url = source.get("method", "GET"), source["url"]
    kwargs = {"params": params or None, "headers": source.get("headers") or None}
    client = outbound_client()
    try:
        if source.get("credential_id"):
            secrets = WorkspaceSecrets(workspace_id, execution_id=scrub_id, client=client)
            response = secrets.request(source["credential_id"], method, url, **kwargs)
        else:
            response = client.request(method, url, **kwargs)
    except RateLimited as exc:
        raise PollFailed(str(exc), retry_after=exc.retry_after) from None
    except (OutboundError, BlockError) as exc:  # BlockError: the credential is unusable
        raise PollFailed(str(exc)) from None
    if response.status == 429:
        wait = parse_retry_after(response.headers.get("retry-after"), now=time.time())
        raise PollFailed("The source answered 429 Too Many Requests.", retry_after=wait)
    if response.status >= 400:
        raise PollFailed(f"The source answered HTTP {response.status}.")
    try:
        return response.json()
    except ValueError:
        raise PollFailed("The source did not answer JSON.") from None
