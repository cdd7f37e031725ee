"""The webhook trigger's required headers, through the real `/hooks/<token>` endpoint: a
delivery without the header, or with another value, is refused with 401 and stores nothing;
the configured values are never echoed; bad rules are refused when the trigger is saved."""

from __future__ import annotations

import pytest

from apps.core.exceptions import InvalidInput
from apps.triggers.models import WebhookDelivery
from apps.triggers.tests.factories import published_workflow, trigger_graph
from apps.triggers.webhooks import webhook_targets_forget
from apps.workflows.models import Execution
from apps.workflows.services import workflow_create, workflow_publish

pytestmark = pytest.mark.django_db

SHARED = "origin-7f3a9c2e-4b1d"


@pytest.fixture(autouse=True)
def _fresh_targets():
    webhook_targets_forget()
    yield
    webhook_targets_forget()


def hook(workspace, user, rules):
    workflow = published_workflow(
        workspace=workspace, user=user, block_type="webhook_trigger", config={"headers": rules}
    )
    return workflow.triggers.get()


def deliver(client, trigger, **headers):
    return client.post(
        f"/hooks/{trigger.webhook_token}",
        b'{"ok": true}',
        content_type="application/json",
        **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()},
    )


def nothing_stored() -> bool:
    return not Execution.objects.exists() and not WebhookDelivery.objects.exists()


def test_the_exact_value_is_required_and_never_echoed(client, workspace, user):
    trigger = hook(workspace, user, [{"name": "X-Origin-Token", "value": SHARED}])

    for headers in (
        {},
        {"X-Origin-Token": SHARED + "x"},
        {"X-Origin-Token": SHARED[:-1]},
        {"X-Other": SHARED},
    ):
        refused = deliver(client, trigger, **headers)
        assert refused.status_code == 401, headers
        assert refused.json() == {
            "type": "header_invalid",
            "detail": "Required header 'X-Origin-Token' is missing or does not match.",
        }
        assert nothing_stored()

    accepted = deliver(client, trigger, **{"x-origin-token": SHARED, "X-Trace": "t1"})
    assert accepted.status_code == 202, accepted.content
    assert SHARED not in accepted.content.decode()
    execution = Execution.objects.get()
    assert execution.input["headers"]["x-trace"] == "t1"
    assert "x-origin-token" not in execution.input["headers"]  # a shared secret: kept out
    assert SHARED not in str(execution.input)


def test_a_pattern_must_match_the_whole_value(client, workspace, user):
    trigger = hook(
        workspace,
        user,
        [
            {"name": "X-Tenant", "pattern": "acme-[0-9]{3}"},
            {"name": "X-Source", "value": "billing"},
        ],
    )

    assert (
        deliver(client, trigger, **{"X-Tenant": "acme-042", "X-Source": "billing"}).status_code
        == 202
    )
    for tenant in ("acme-42", "xacme-042", "acme-0421", "acme-042\n"):
        response = deliver(client, trigger, **{"X-Tenant": tenant, "X-Source": "billing"})
        assert response.status_code == 401, tenant
    missing_second = deliver(client, trigger, **{"X-Tenant": "acme-042"})
    assert missing_second.status_code == 401 and "'X-Source'" in missing_second.json()["detail"]
    assert Execution.objects.count() == 1 and WebhookDelivery.objects.count() == 1


def test_an_overlong_value_is_refused_before_any_pattern_runs(client, workspace, user):
    trigger = hook(workspace, user, [{"name": "X-Tenant", "pattern": "a+"}])
    assert deliver(client, trigger, **{"X-Tenant": "a" * 1024}).status_code == 202
    assert deliver(client, trigger, **{"X-Tenant": "a" * 1025}).status_code == 401


def _publish(workspace, user, rules):
    workflow = workflow_create(
        workspace=workspace,
        name="hook",
        created_by=user,
        graph=trigger_graph("webhook_trigger", {"headers": rules}),
    )
    with pytest.raises(InvalidInput) as caught:
        workflow_publish(workflow=workflow, published_by=user)
    return caught.value.fields


def test_rules_are_checked_when_the_trigger_is_published(workspace, user):
    base = "graph.nodes[start].data.config.headers"
    assert _publish(
        workspace, user, [{"name": "X-A", "value": SHARED, "pattern": "x"}, {"name": "X-B"}]
    ) == {
        f"{base}[{i}]": [
            "Set either value (exact match) or pattern (regular expression), not both."
        ]
        for i in (0, 1)
    }
    assert _publish(
        workspace, user, [{"name": "X-A", "value": "1"}, {"name": "x-a", "value": "2"}]
    ) == {f"{base}[1].name": ["Header 'x-a' is required twice; keep one rule per header."]}


def test_malformed_rules_are_refused_by_the_draft_save(workspace, user):
    for rules, field in (
        ([{"name": "X A", "value": "v"}], "headers[0].name"),
        ([{"name": "X-A", "pattern": "x" * 257}], "headers[0].pattern"),
        ([{"name": "X-A", "value": "v", "extra": 1}], "headers[0]"),
    ):
        with pytest.raises(InvalidInput) as caught:
            workflow_create(
                workspace=workspace,
                name="hook",
                created_by=user,
                graph=trigger_graph("webhook_trigger", {"headers": rules}),
            )
        assert list(caught.value.fields) == [f"graph.nodes[0].data.config.{field}"], rules


def test_an_invalid_regular_expression_is_refused_by_the_draft_save(workspace, user):
    with pytest.raises(InvalidInput) as caught:
        workflow_create(
            workspace=workspace,
            name="hook",
            created_by=user,
            graph=trigger_graph(
                "webhook_trigger", {"headers": [{"name": "X-A", "pattern": "acme-(["}]}
            ),
        )
    assert caught.value.fields == {
        "graph.nodes[0].data.config.headers[0].pattern": [
            "config.headers[0].pattern: 'acme-([' is not a 'regex'"
        ]
    }
