"""An expired OAuth2 access token hit by two worker processes at once, against a real
authorization server on 127.0.0.1 (Authlib) that rotates refresh tokens: each refresh token
works once. Tried with the cache up, then with the cache's Redis killed. Each process runs
one execution through the runtime a worker's drain uses (claim by id, engine, finish)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from apps.credentials import services
from apps.credentials.models import Credential
from apps.credentials.tests.oauth_server import OAuthProvider
from apps.workflows.models import Execution
from apps.workflows.services import execution_create
from tests.reliability.harness import WORKER_ENV, node, own_redis, published
from tests.test_credentials_oauth import CLIENT_SECRET, REDIRECT, _connect
from tests.worker import run_django_script

pytestmark = [pytest.mark.usefixtures("own_workers"), pytest.mark.timeout(180)]


@pytest.fixture
def provider(settings):
    with OAuthProvider() as p:
        settings.OUTBOUND_ALLOWLIST = [f"127.0.0.1:{p.port}"]
        p.add_client(client_id="flowplane", client_secret=CLIENT_SECRET, redirect_uris=[REDIRECT])
        yield p


def _api_graph(url: str, credential_id: str) -> dict:
    nodes = [
        node("start", "manual_trigger"),
        node("call", "http_request", url=url, method="GET", credential_id=credential_id),
    ]
    return {"nodes": nodes, "edges": [{"id": "e1", "source": "start", "target": "call"}]}


RUN = (
    "import uuid; from apps.workflows.runtime.run import execution_run; "
    "print(execution_run(execution_id=uuid.UUID('{pk}')))"
)


def _both_at_once(workflow, env: dict[str, str]) -> list:  # type: ignore[no-untyped-def]
    """Two runs, each claimed and run by its own worker process (the runtime a worker's
    drain calls, by id, so that each process surely takes one), started together."""
    ids = [execution_create(workflow=workflow, mode="api", input={}).pk for _ in range(2)]
    outputs: list[str] = []
    threads = [
        threading.Thread(
            target=lambda pk=pk: outputs.append(run_django_script(RUN.format(pk=pk), **env))
        )
        for pk in ids
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert [out.strip() for out in outputs] == ["True", "True"], outputs  # each ran one
    return ids


def _refresh_requests(provider: OAuthProvider) -> int:
    return sum(r.get("grant_type") == "refresh_token" for r in provider.token_requests)


def test_an_expired_token_hit_by_two_workers_is_refreshed_once(api, user, workspace, provider):
    credential, _, _ = _connect(api, user, workspace, provider)
    workflow = published(workspace, user, _api_graph(provider.url("/api/me"), str(credential.pk)))
    provider.token_delay = 3.0  # the second process asks while the first one's refresh is out

    def expire() -> dict[str, str]:
        Credential.objects.filter(pk=credential.pk).update(
            access_expires_at=timezone.now() - timedelta(seconds=1)
        )
        return services.secret_open(Credential.objects.get(pk=credential.pk))

    with own_redis() as cache_redis:  # the workers' cache, killed half-way
        env = {**WORKER_ENV, "REDIS_URL": cache_redis.url}
        rounds = []
        for cache_up in (True, False):
            if not cache_up:
                cache_redis.kill()
            old = expire()
            refreshes, calls = _refresh_requests(provider), len(provider.api_tokens)
            ids = _both_at_once(workflow, env)
            refresh = [
                r for r in provider.token_requests if r.get("grant_type") == "refresh_token"
            ][-1]
            rounds.append(
                (
                    cache_up,
                    old,
                    ids,
                    _refresh_requests(provider) - refreshes,
                    provider.api_tokens[calls:],
                    provider.tokens[-1],
                    datetime.fromtimestamp(refresh["received_at"] + 3.0, UTC),
                )
            )

    for cache_up, old, ids, refreshes, used, new, answered in rounds:
        runs = list(Execution.objects.filter(pk__in=ids))
        assert {e.status for e in runs} == {"succeeded"}, (cache_up, [e.error for e in runs])
        # Both runs were claimed before the token endpoint answered: they overlapped.
        assert max(e.started_at for e in runs) < answered, (cache_up, answered)
        assert refreshes == 1, (cache_up, provider.token_requests)  # one request, not one each
        assert used == [new.access_token] * 2, cache_up  # both runs called with the new token
        assert new.refresh_token != old["refresh_token"]
    stored = services.secret_open(Credential.objects.get(pk=credential.pk))
    assert stored["refresh_token"] == provider.tokens[-1].refresh_token  # rotation kept once
    assert not Credential.objects.get(pk=credential.pk).needs_reauth
