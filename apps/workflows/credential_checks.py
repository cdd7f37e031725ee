"""`missing_credential` warnings: connector steps whose connector needs auth but that name no
credential. A warning, not an error: a public endpoint of such a connector may work without
one, and the run fails with the provider's own message if not."""

from typing import Any

from apps.connectors.selectors import connector_slugs_needing_auth

_CONNECTOR_BLOCK = "connector_operation"


def _connector_steps(graph: dict[str, Any]) -> list[tuple[int, str, str]]:
    """(node index, node id, connector slug) of connector steps without a credential_id."""
    found = []
    for index, node in enumerate(graph.get("nodes") or []):
        if not isinstance(node, dict) or node.get("type") != _CONNECTOR_BLOCK:
            continue
        data = node.get("data") if isinstance(node.get("data"), dict) else {}
        config = data.get("config") if isinstance(data.get("config"), dict) else {}
        slug = config.get("connector")
        if isinstance(slug, str) and slug and not config.get("credential_id"):
            found.append((index, str(node.get("id")), slug))
    return found


def credential_issues(graph: dict[str, Any]) -> list[dict[str, Any]]:
    steps = _connector_steps(graph)
    needing = connector_slugs_needing_auth(slugs={slug for _, _, slug in steps})
    return [
        {
            "node_id": node_id,
            "field": "config.credential_id",
            "code": "missing_credential",
            "message": f"The {slug} connector needs a credential; none is selected.",
            "severity": "warning",
            "path": f"graph.nodes[{index}].data.config.credential_id",
        }
        for index, node_id, slug in steps
        if slug in needing
    ]
