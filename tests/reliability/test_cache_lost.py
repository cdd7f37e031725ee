"""Redis as the cache (breakers, rate windows, webhook and API windows) killed while workers
run, on a Redis the suite starts itself; the broker and the database stay up. Runs go on,
webhooks and API calls are accepted, the limits not enforced until it is back
(config/cache.py)."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.triggers.models import Trigger
from apps.triggers.tests.factories import published_workflow
from apps.triggers.webhooks import webhook_targets_forget
from apps.workflows.models import Execution
from apps.workflows.runtime.sweep import execution_sweep
from apps.workflows.services import execution_create
from apps.workspaces.services import api_token_create
from config.env import var_path
from tests.reliability.harness import (
    WORKER_ENV,
    CountingServer,
    all_finished,
    call_graph,
    own_redis,
    published,
)
from tests.worker import start_worker, stop_worker, wait_for

pytestmark = [pytest.mark.usefixtures("own_workers"), pytest.mark.timeout(180)]

# Shared state on every call: a breaker and a rate window, both kept in the cache.
POLICIES = {
    "breaker": {"failure_threshold": 3, "reset_after_s": 30},
    "rate_limit": {"limit": 100, "per_s": 60},
}


def _graph(url: str) -> dict:
    graph = call_graph(url, "/call")
    for node in graph["nodes"]:
        if node["id"] == "call":
            node["data"]["policies"] = POLICIES
    return graph


def _run_all(workflow, n: int) -> list:  # type: ignore[no-untyped-def]
    ids = [execution_create(workflow=workflow, mode="api", input={"n": i}).pk for i in range(n)]
    execution_sweep()
    wait_for(lambda: all_finished(ids), timeout=60, interval=0.3)
    return ids


def _deliver(client: Client, token: str) -> int:
    return client.post(
        f"/hooks/{token}", data=b'{"a": 1}', content_type="application/json"
    ).status_code


def _list(api: Client) -> int:
    return api.get("/api/v1/workflows/").status_code


def test_cache_redis_killed_runs_and_webhooks_go_on(user, workspace, settings):
    settings.API_RATE_PER_TOKEN = "1/hour"
    _, secret = api_token_create(user=user, name="cache-lost")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    server = CountingServer()
    workflow = published(workspace, user, _graph(server.url))
    hook = published_workflow(
        workspace=workspace,
        user=user,
        block_type="webhook_trigger",
        config={"rate_limit": {"limit": 1, "per_s": 60}},
    )
    token = Trigger.objects.get(workflow=hook).webhook_token
    log = var_path("test-worker.log")
    log_start = log.stat().st_size if log.exists() else 0
    with own_redis() as cache_redis:
        settings.CACHES = {
            "default": {
                "BACKEND": "config.cache.FailOpenRedisCache",
                "LOCATION": cache_redis.url,
                "OPTIONS": settings.REDIS_CACHE_OPTIONS,
            }
        }
        webhook_targets_forget()
        client = Client()
        worker = start_worker(concurrency=1, env={**WORKER_ENV, "REDIS_URL": cache_redis.url})
        try:
            before = _run_all(workflow, 2)
            keys = {k.decode() for k in cache_redis.client().keys("*")}
            # The rate window lived there (a closed breaker only reads: no key to see).
            assert any("flowplane:rate" in k for k in keys), keys
            assert [_deliver(client, token), _deliver(client, token)] == [202, 429]
            assert [_list(api), _list(api)] == [200, 429]  # the token's API rate

            cache_redis.kill()
            during = _run_all(workflow, 3)
            # The webhook's window cannot be counted: every delivery is accepted.
            assert [_deliver(client, token) for _ in range(3)] == [202, 202, 202]
            assert [_list(api), _list(api)] == [200, 200]  # nor the API's

            cache_redis.start()  # back, empty: limits count again from zero
            after = _run_all(workflow, 1)
            assert [_deliver(client, token), _deliver(client, token)] == [202, 429]
            assert [_list(api), _list(api)] == [200, 429]
            hook_runs = list(Execution.objects.filter(workflow=hook).values_list("pk", flat=True))
            execution_sweep()
            wait_for(lambda: all_finished(hook_runs), timeout=60, interval=0.3)
        finally:
            stop_worker(worker, hard=True)
            server.close()

    runs = Execution.objects.filter(pk__in=before + during + after + hook_runs)
    assert {e.status for e in runs} == {"succeeded"}, [e.error for e in runs]
    assert len(hook_runs) == 5  # one per 202
    assert server.keys("/call") == {f"{pk}:call": 1 for pk in before + during + after}
    with log.open() as lines:
        lines.seek(log_start)
        assert "cache.unavailable" in lines.read()  # the worker said it fails open
