"""Writes for triggers: sync with publishing, signing secrets, error bookkeeping.

Triggers are derived from the *published* graph: ``trigger_sync_for_workflow`` runs inside
publish, unpublish and rollback, so a trigger is active exactly while a published version
declares its node. Tokens, secrets, the poll cursor and the user's on/off switch
(``enabled``) survive a republish.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.credentials.keyring import keyring
from apps.triggers.exceptions import TriggerConfigInvalid, TriggerNotSwitchable
from apps.triggers.models import Trigger
from apps.triggers.presets import preset_get
from apps.triggers.registry import TriggerSpec, trigger_registry
from apps.triggers.signatures import secret_generate
from apps.workflows.models import Workflow
from apps.workflows.validation import references_validate
from apps.workspaces.services import audit_record

RECENT_ERRORS = 10


def _token() -> str:
    return secrets.token_urlsafe(32)


def _aad(trigger: Trigger) -> str:
    return f"trigger:{trigger.pk}:{trigger.workspace_id}"


def trigger_nodes(graph: dict[str, Any] | None) -> list[tuple[dict[str, Any], TriggerSpec]]:
    """The nodes of a graph that declare a trigger kind, with their specs."""
    found = []
    for node in (graph or {}).get("nodes", []):
        spec = trigger_registry.for_block(str(node.get("type", "")))
        if spec is not None:
            found.append((node, spec))
    return found


def node_config(
    node: dict[str, Any], spec: TriggerSpec, *, workspace_id: Any = None
) -> dict[str, Any]:
    """A node's trigger config with defaults applied, or TriggerConfigInvalid; with
    ``workspace_id`` (a row is saved for it), the workspace's data is checked too."""
    config = spec.resolved((node.get("data") or {}).get("config"))
    problems = spec.problems(config, workspace_id=workspace_id)
    if problems:
        raise TriggerConfigInvalid(
            f"The trigger node {node.get('id')!r} is misconfigured.",
            fields={f"graph.nodes[{node.get('id')}].data.{k}": v for k, v in problems.items()},
        )
    return config


def _seal_new_secret(trigger: Trigger, config: dict[str, Any]) -> None:
    preset = preset_get((config.get("verification") or {}).get("preset", "none")) or {}
    secret = secret_generate(preset)
    trigger.secret_ciphertext = keyring().seal(secret.encode(), aad=_aad(trigger))
    trigger.secret_revealed = False


def trigger_sync_for_workflow(*, workflow: Workflow, now: datetime | None = None) -> list[Trigger]:
    """Make the trigger rows match the live published graph; deactivate the rest.

    Call inside the publish/unpublish/rollback transaction. A schedule whose cron and zone
    did not change keeps its next fire (a republish neither skips nor repeats a run); a
    poll trigger keeps its cursor.
    """
    now = now or timezone.now()
    live = Workflow.objects.select_related("published_version").get(pk=workflow.pk)
    graph = live.published_version.graph if live.published_version is not None else None
    with transaction.atomic():
        existing = {
            t.node_id: t for t in Trigger.objects.select_for_update().filter(workflow_id=live.pk)
        }
        kept: list[Trigger] = []
        for node, spec in trigger_nodes(graph):
            config = node_config(node, spec, workspace_id=live.workspace_id)
            trigger = existing.pop(node["id"], None)
            if trigger is None:
                trigger = Trigger(
                    workspace_id=live.workspace_id,
                    workflow=live,
                    node_id=node["id"],
                    kind=spec.kind,
                )
            trigger_apply_config(trigger=trigger, spec=spec, config=config, now=now)
            trigger.is_active = True
            if not trigger.enabled:
                trigger.next_fire_at = None  # switched off: the tick must not see it
            trigger.save()
            kept.append(trigger)
        for stale in existing.values():
            if stale.is_active or stale.next_fire_at is not None:
                stale.is_active = False
                stale.next_fire_at = None
                stale.save(update_fields=["is_active", "next_fire_at", "updated_at"])
    return kept


# The kinds the platform fires by itself; manual and API runs are started by a person or a
# client on purpose, so they have no switch.
SWITCHABLE_KINDS = (Trigger.Kind.WEBHOOK, Trigger.Kind.SCHEDULE, Trigger.Kind.POLL)


def trigger_enabled_set(
    *, trigger: Trigger, enabled: bool, actor: Any = None, now: datetime | None = None
) -> Trigger:
    """Switch a trigger off (its webhook refuses deliveries, the tick skips it) or on again.

    Off clears the next fire; on plans it from ``now``, so fires missed while off are not
    caught up. A change is audited (``trigger.enabled`` / ``trigger.disabled``); asking for
    the current state changes and records nothing.
    """
    if trigger.kind not in SWITCHABLE_KINDS:
        raise TriggerNotSwitchable(
            f"A {trigger.get_kind_display().lower()} trigger has no on/off switch.",
            fields={"enabled": ["Only webhook, schedule and polling triggers can be switched."]},
        )
    now = now or timezone.now()
    with transaction.atomic():
        locked = Trigger.objects.select_for_update().select_related("workspace").get(pk=trigger.pk)
        if locked.enabled == enabled:
            return locked
        locked.enabled = enabled
        spec = trigger_registry.get(locked.kind)
        if not enabled:
            locked.next_fire_at = None
        elif locked.is_active and spec is not None and spec.first_fire is not None:
            locked.next_fire_at = spec.first_fire(locked.config, now)
        locked.save(update_fields=["enabled", "next_fire_at", "updated_at"])
        audit_record(
            workspace=locked.workspace,
            actor=actor,
            action="trigger.enabled" if enabled else "trigger.disabled",
            target=locked,
            data={"node_id": locked.node_id, "workflow_id": str(locked.workflow_id)},
        )
    return locked


def trigger_apply_config(
    *, trigger: Trigger, spec: TriggerSpec, config: dict[str, Any], now: datetime
) -> None:
    """Set kind/config and what follows from them (tokens, secret, next fire); no save."""
    previous = trigger.config if trigger.is_active else None
    trigger.kind = spec.kind
    trigger.config = config
    if spec.webhook:
        trigger.webhook_token = trigger.webhook_token or _token()
        _test_url_renew(trigger, now)
        if trigger.secret_ciphertext is None:
            _seal_new_secret(trigger, config)
    if spec.first_fire is None:
        trigger.next_fire_at = None
    elif previous is None or _timing(previous) != _timing(config) or trigger.next_fire_at is None:
        trigger.next_fire_at = spec.first_fire(config, now)
        trigger.consecutive_errors = 0


def _timing(config: dict[str, Any]) -> tuple[Any, ...]:
    return (config.get("cron"), config.get("timezone"), config.get("interval_s"))


def trigger_ensure_for_draft(*, workflow: Workflow, node_id: str) -> Trigger:
    """A (possibly inactive) row for a draft's webhook node, so it has a test URL."""
    # The test URL runs the draft: ids of another workspace in it are refused here, as on
    # every other write that stores or runs a graph.
    references_validate(workflow.graph, workspace_id=workflow.workspace_id)
    node = next(
        (n for n in (workflow.graph or {}).get("nodes", []) if n.get("id") == node_id), None
    )
    spec = trigger_registry.for_block(str(node.get("type"))) if node else None
    if node is None or spec is None:
        raise TriggerConfigInvalid(
            "No trigger node with that id in the draft.",
            fields={"node_id": ["Not a trigger node of the draft."]},
        )
    config = node_config(node, spec, workspace_id=workflow.workspace_id)
    with transaction.atomic():
        trigger = (
            Trigger.objects.select_for_update().filter(workflow=workflow, node_id=node_id).first()
        )
        if trigger is None:
            trigger = Trigger(
                workspace_id=workflow.workspace_id,
                workflow=workflow,
                node_id=node_id,
                kind=spec.kind,
                is_active=False,
            )
            trigger_apply_config(trigger=trigger, spec=spec, config=config, now=timezone.now())
            trigger.next_fire_at = None  # inactive until published
            trigger.save()
        elif spec.webhook:
            _test_url_renew(trigger, timezone.now())
            trigger.webhook_token = trigger.webhook_token or _token()
            if trigger.secret_ciphertext is None:
                _seal_new_secret(trigger, config)
            trigger.save()
    return trigger


def _test_url_renew(trigger: Trigger, now: datetime) -> None:
    """Give the test URL another TTL; an expired one gets a new token (the old stays dead).

    The test URL runs the draft with no signature a provider would send, so it must not
    live forever in a browser history or a copied curl command.
    """
    expired = trigger.test_token_expires_at is None or trigger.test_token_expires_at <= now
    if not trigger.test_token or expired:
        trigger.test_token = _token()
    trigger.test_token_expires_at = now + timedelta(seconds=settings.TRIGGER_TEST_URL_TTL_SECONDS)


def trigger_secret(*, trigger: Trigger) -> str | None:
    """The plaintext signing secret (for verification only: never logged or returned)."""
    if trigger.secret_ciphertext is None:
        return None
    return keyring().open(bytes(trigger.secret_ciphertext), aad=_aad(trigger)).decode()


def trigger_secret_reveal_once(*, trigger: Trigger) -> str | None:
    """The secret the first time it is asked for after creation or rotation, then never."""
    if trigger.secret_ciphertext is None or trigger.secret_revealed:
        return None
    claimed = Trigger.objects.filter(pk=trigger.pk, secret_revealed=False).update(
        secret_revealed=True
    )
    trigger.secret_revealed = True
    return trigger_secret(trigger=trigger) if claimed else None


def trigger_secret_rotate(
    *, trigger: Trigger, secret: str | None = None, actor: Any = None
) -> str | None:
    """Replace the signing secret: a generated one is returned once, a given one never.
    Audited (who replaced it, and whether it was generated), never the secret itself."""
    with transaction.atomic():
        if secret is None:
            _seal_new_secret(trigger, trigger.config)
            plaintext = trigger_secret(trigger=trigger)
            trigger.secret_revealed = True
        else:
            trigger.secret_ciphertext = keyring().seal(secret.encode(), aad=_aad(trigger))
            trigger.secret_revealed = True
            plaintext = None
        trigger.save(update_fields=["secret_ciphertext", "secret_revealed", "updated_at"])
        audit_record(
            workspace=trigger.workspace,
            actor=actor,
            action="trigger.secret_rotated",
            target=trigger,
            data={"generated": secret is None, "node_id": trigger.node_id},
        )
    return plaintext


def trigger_record_error(
    *, trigger_id: Any, message: str, now: datetime | None = None, count: bool = True
) -> None:
    """Remember an error on the trigger (last few kept, newest first)."""
    now = now or timezone.now()
    with transaction.atomic():
        trigger = Trigger.objects.select_for_update().filter(pk=trigger_id).first()
        if trigger is None:
            return
        entry = {"at": now.isoformat(), "message": message[:500]}
        trigger.recent_errors = [entry, *(trigger.recent_errors or [])][:RECENT_ERRORS]
        trigger.last_error = message[:2000]
        fields = ["recent_errors", "last_error", "updated_at"]
        if count:
            trigger.consecutive_errors += 1
            fields.append("consecutive_errors")
        trigger.save(update_fields=fields)
