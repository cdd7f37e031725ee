"""Issue 11, defects 7 and 10: webhook and test URLs start runs, so only editors (and up) see
them, and the test URL (which runs the draft) expires; webhook inputs keep no credentials."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.triggers.models import Trigger
from apps.triggers.tests.factories import published_workflow
from apps.triggers.webhooks import webhook_targets_forget
from apps.workflows.models import Execution
from apps.workspaces.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def trigger(workspace, user):
    webhook_targets_forget()
    workflow = published_workflow(
        workspace=workspace,
        user=user,
        block_type="webhook_trigger",
        config={"verification": {"preset": "none"}},
    )
    return Trigger.objects.get(workflow=workflow)


def test_a_viewer_sees_no_url_that_starts_a_run(trigger, member_api):
    viewer = member_api(Role.VIEWER)
    detail = viewer.get(f"/api/v1/triggers/{trigger.pk}/").json()
    listed = viewer.get("/api/v1/triggers/").json()["results"]
    for shown in (detail, *listed):
        assert shown["webhook_url"] is None and shown["test_url"] is None, shown
        assert shown["test_url_expires_at"] is None
    assert trigger.webhook_token not in str(detail) + str(listed)
    assert trigger.test_token not in str(detail) + str(listed)
    # The same viewer cannot run the workflow through the API either.
    assert (
        viewer.post(
            f"/api/v1/workflows/{trigger.workflow_id}/run/", {"draft": True}, format="json"
        ).status_code
        == 403
    )


def test_an_editor_sees_both_urls_and_when_the_test_url_expires(trigger, member_api, client):
    editor = member_api(Role.EDITOR)
    detail = editor.get(f"/api/v1/triggers/{trigger.pk}/").json()
    assert detail["webhook_url"].endswith(f"/hooks/{trigger.webhook_token}")
    assert detail["test_url"].endswith(f"/hooks/test/{trigger.test_token}")
    assert detail["test_url_expires_at"] is not None
    assert (
        client.post(
            f"/hooks/test/{trigger.test_token}", b"{}", content_type="application/json"
        ).status_code
        == 202
    )


def test_an_expired_test_url_runs_nothing_until_an_editor_renews_it(trigger, member_api, client):
    old = trigger.test_token
    Trigger.objects.filter(pk=trigger.pk).update(
        test_token_expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = client.post(f"/hooks/test/{old}", b"{}", content_type="application/json")
    assert response.status_code == 404
    assert not Execution.objects.exists()
    editor = member_api(Role.EDITOR)
    assert editor.get(f"/api/v1/triggers/{trigger.pk}/").json()["test_url"] is None
    renewed = editor.post(
        "/api/v1/triggers/draft/",
        {"workflow": str(trigger.workflow_id), "node_id": trigger.node_id},
        format="json",
    )
    assert renewed.status_code == 200, renewed.content
    new_url = renewed.json()["test_url"]
    assert old not in new_url  # an expired token never comes back to life
    assert (
        client.post(f"/hooks/test/{old}", b"{}", content_type="application/json").status_code == 404
    )
    path = new_url[new_url.index("/hooks/") :]
    assert client.post(path, b"{}", content_type="application/json").status_code == 202


def test_a_viewer_cannot_renew_the_test_url(trigger, member_api):
    viewer = member_api(Role.VIEWER)
    response = viewer.post(
        "/api/v1/triggers/draft/",
        {"workflow": str(trigger.workflow_id), "node_id": trigger.node_id},
        format="json",
    )
    assert response.status_code == 403


def test_credential_like_headers_stay_out_of_webhook_inputs(trigger, client):
    # Issue 11, defect 10: the run's input (readable by viewers) kept X-Api-Key and the like.
    sent = {
        "X-Api-Key": "k-canary-1",
        "X-Auth-Token": "k-canary-2",
        "X-Gitlab-Token": "k-canary-3",
        "Api-Key": "k-canary-4",
        "X-Amz-Security-Token": "k-canary-5",
        "Authorization": "Bearer k-canary-6",
        "Cookie": "sessionid=k-canary-7",
        "X-Client-Secret": "k-canary-8",
        "X-Request-Id": "req-1",
        "X-Hub-Signature-256": "sha256=abc",
    }
    response = client.post(
        f"/hooks/{trigger.webhook_token}",
        b"{}",
        content_type="application/json",
        **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in sent.items()},
    )
    assert response.status_code == 202
    stored = Execution.objects.get().input
    assert "k-canary" not in str(stored)
    assert stored["headers"]["x-request-id"] == "req-1"
    assert stored["headers"]["x-hub-signature-256"] == "sha256=abc"
