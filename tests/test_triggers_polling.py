"""Polling against a real HTTP server on 127.0.0.1 (allow-listed for these tests only)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from apps.connectors.outbound.testing import LocalServer, Recorded, Reply
from apps.triggers.models import Trigger
from apps.triggers.polling import outbound_client, poll_run
from apps.triggers.scheduler import trigger_tick
from apps.triggers.tests.factories import published_workflow, republish
from apps.workflows.models import Execution

pytestmark = pytest.mark.django_db


class Feed:
    """The source: a list of items, optionally filtered by ?since=, or a scripted failure."""

    def __init__(self) -> None:
        self.items: list[dict] = []
        self.fail: tuple[int, dict[str, str]] | None = None
        self.queries: list[dict] = []


@pytest.fixture
def feed(settings):
    state = Feed()

    def items(recorded: Recorded) -> Reply:
        query = {k: v[0] for k, v in parse_qs(urlsplit(recorded.path).query).items()}
        state.queries.append(query)
        if state.fail:
            status, headers = state.fail
            return Reply(status, headers)
        items = [
            i for i in state.items if "since" not in query or i["updated"] >= int(query["since"])
        ]
        body = json.dumps({"data": {"items": items}}).encode()
        return Reply(200, {"Content-Type": "application/json"}, body)

    with LocalServer().route("/items", items) as server:
        settings.OUTBOUND_ALLOWLIST = [server.netloc]
        outbound_client.cache_clear()
        state.url = server.url("/items")
        yield state
    outbound_client.cache_clear()


def poller(workspace, user, feed, **config):
    config = {
        "source": {"kind": "http", "url": feed.url},
        "items_path": "data.items",
        "interval_s": 60,
        **config,
    }
    workflow = published_workflow(
        workspace=workspace, user=user, block_type="poll_trigger", config=config
    )
    return Trigger.objects.get(workflow=workflow)


def item(n: int, updated: int | None = None) -> dict:
    return {"id": f"i{n}", "updated": updated if updated is not None else n, "title": f"#{n}"}


def runs(trigger) -> list:
    return [
        e.input["item"]["id"]
        for e in Execution.objects.filter(trigger=trigger).order_by("created_at")
    ]


def test_first_poll_is_a_baseline_then_one_run_per_new_item(workspace, user, feed):
    feed.items = [item(1), item(2)]
    trigger = poller(workspace, user, feed)
    assert poll_run(trigger_id=trigger.pk)["baseline"] == 1
    assert runs(trigger) == []
    feed.items += [item(3), item(4)]
    assert poll_run(trigger_id=trigger.pk)["started"] == 2
    assert poll_run(trigger_id=trigger.pk)["started"] == 0  # nothing new: nothing twice
    assert runs(trigger) == ["i3", "i4"]
    execution = Execution.objects.filter(trigger=trigger).first()
    assert execution.mode == Execution.Mode.POLL and execution.status == "queued"
    trigger.refresh_from_db()
    assert trigger.cursor["seen"][-2:] == ["i3", "i4"] and trigger.consecutive_errors == 0


def test_high_water_mark_is_sent_and_orders_items(workspace, user, feed):
    feed.items = [item(1, 10)]
    trigger = poller(workspace, user, feed, cursor_path="updated", cursor_param="since")
    poll_run(trigger_id=trigger.pk)
    feed.items = [item(3, 30), item(2, 20), item(1, 10), item(9, 5)]  # 9 is older: skipped
    poll_run(trigger_id=trigger.pk)
    assert feed.queries[-1] == {"since": "10"}
    assert runs(trigger) == ["i2", "i3"]
    # An item with the same high-water value as the last one run is new if its id is new.
    feed.items.append(item(4, 30))
    poll_run(trigger_id=trigger.pk)
    assert runs(trigger) == ["i2", "i3", "i4"]


def test_max_items_leaves_the_rest_for_the_next_poll(workspace, user, feed):
    trigger = poller(workspace, user, feed, max_items=2, cursor_path="updated")
    poll_run(trigger_id=trigger.pk)
    feed.items = [item(n) for n in range(1, 6)]
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    poll_run(trigger_id=trigger.pk, now=now)
    assert runs(trigger) == ["i1", "i2"]
    trigger.refresh_from_db()
    assert trigger.next_fire_at == now + timedelta(seconds=1)  # backlog: come back soon
    poll_run(trigger_id=trigger.pk)
    poll_run(trigger_id=trigger.pk)
    assert runs(trigger) == ["i1", "i2", "i3", "i4", "i5"]


def test_batch_mode_starts_one_run_for_all_new_items(workspace, user, feed):
    trigger = poller(workspace, user, feed, mode="batch")
    poll_run(trigger_id=trigger.pk)
    feed.items = [item(1), item(2), item(3)]
    assert poll_run(trigger_id=trigger.pk)["started"] == 1
    execution = Execution.objects.get(trigger=trigger)
    assert [i["id"] for i in execution.input["items"]] == ["i1", "i2", "i3"]


def test_errors_and_429_back_off(workspace, user, feed):
    trigger = poller(workspace, user, feed, backoff={"multiplier": 2, "max_interval_s": 600})
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    feed.fail = (500, {})
    poll_run(trigger_id=trigger.pk, now=now)
    trigger.refresh_from_db()
    assert trigger.consecutive_errors == 1 and trigger.next_fire_at == now + timedelta(seconds=120)
    assert "HTTP 500" in trigger.last_error and trigger.recent_errors[0]["message"]
    poll_run(trigger_id=trigger.pk, now=now)
    trigger.refresh_from_db()
    assert trigger.next_fire_at == now + timedelta(seconds=240)
    feed.fail = (429, {"Retry-After": "900"})
    poll_run(trigger_id=trigger.pk, now=now)
    trigger.refresh_from_db()
    # 60 * 2**3 = 480 s of back-off, but the source asked for 900 s: the longer one wins.
    assert trigger.next_fire_at == now + timedelta(seconds=900)
    feed.fail = None
    outbound_client.cache_clear()  # forget the target-wide pause the 429 set
    from django.core.cache import cache

    cache.clear()
    poll_run(trigger_id=trigger.pk, now=now)
    trigger.refresh_from_db()
    assert trigger.consecutive_errors == 0 and trigger.next_fire_at == now + timedelta(seconds=60)


def test_destinations_outside_the_allow_list_are_refused(workspace, user, feed, settings):
    settings.OUTBOUND_ALLOWLIST = []
    outbound_client.cache_clear()
    trigger = poller(workspace, user, feed)
    poll_run(trigger_id=trigger.pk)
    trigger.refresh_from_db()
    assert "blocked" in trigger.last_error and trigger.cursor == {}
    assert feed.queries == []


def test_republish_keeps_the_cursor_nothing_lost_nothing_twice(workspace, user, feed):
    feed.items = [item(1)]
    trigger = poller(workspace, user, feed)
    poll_run(trigger_id=trigger.pk)
    feed.items += [item(2)]
    poll_run(trigger_id=trigger.pk)
    feed.items += [item(3)]  # arrives between the last poll and the republish
    republish(
        workflow=trigger.workflow,
        user=user,
        config={
            "source": {"kind": "http", "url": feed.url},
            "items_path": "data.items",
            "interval_s": 120,
        },
    )
    trigger.refresh_from_db()
    assert trigger.cursor["seen"] == ["i1", "i2"]
    poll_run(trigger_id=trigger.pk)
    assert runs(trigger) == ["i2", "i3"]


def test_the_tick_hands_due_polls_to_the_workers(
    workspace, user, feed, django_capture_on_commit_callbacks
):
    trigger = poller(workspace, user, feed)
    now = datetime.now(tz=UTC)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = trigger_tick(now=now + timedelta(seconds=1))
    assert result.polls == 1 and len(callbacks) == 1
    trigger.refresh_from_db()
    assert trigger.next_fire_at > now + timedelta(minutes=4)  # leased until the poll reports
    assert trigger_tick(now=now + timedelta(seconds=2)).polls == 0
