"""The workspace prior in the router (real MiniLM vectors), its simulated workspaces, the fit
of its weights, and the cached per-workspace prior (registry, TTL, invalidation)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from apps.routing import workspace
from apps.routing.params import DEFAULT_PARAMS
from apps.routing.prior import WorkspacePrior
from apps.routing.scenarios import fit_prior_weights, workspace_priors
from apps.routing.tests.test_router import build

CALENDAR = WorkspacePrior(connectors=frozenset({"google-calendar"}))
GITHUB = WorkspacePrior(
    connectors=frozenset({"github"}), operations=frozenset({("github", "issues/create")})
)


@pytest.fixture(scope="module")
def router(encoder):
    return build(encoder)


def test_shipped_params_weigh_the_prior():
    assert DEFAULT_PARAMS.weights["ws_connected"] > 0
    assert len(DEFAULT_PARAMS.connector_calibration.coef) == 4  # score, margin, connected, not


def test_prior_lifts_the_routes_of_a_connected_connector_by_its_weight(router):
    query = "create a new one for tomorrow"
    plain = router.scores(query)
    lifted = router.scores(query, prior=CALENDAR)
    idx = router.index
    calendar = idx.route_connector == idx.connector_pos["google-calendar"]
    weight = DEFAULT_PARAMS.weights["ws_connected"]
    assert np.allclose(lifted[calendar] - plain[calendar], weight, atol=1e-5)
    assert np.allclose(lifted[~calendar], plain[~calendar])


def test_prior_raises_confidence_and_says_so(router):
    query = "add a meeting with Ana to my calendar tomorrow"
    without = router.route(query)
    within = router.route(query, prior=CALENDAR)
    assert within.route == "create_event" and within.decided_by == "router"
    assert within.confidence > without.confidence
    assert "this workspace has a credential for it" in within.reasoning
    elsewhere = router.route(query, prior=GITHUB)
    assert "no credential" in elsewhere.reasoning
    assert elsewhere.confidence < within.confidence


def test_a_used_operation_is_lifted_inside_its_connector(router):
    used = router.scores("do something in github", prior=GITHUB)
    connected_only = router.scores(
        "do something in github", prior=dataclasses.replace(GITHUB, operations=frozenset())
    )
    pos = router.index.route_by_tool[("github", "issues/create")]
    assert used[pos] - connected_only[pos] == pytest.approx(DEFAULT_PARAMS.weights["ws_used"])


def test_an_unknown_connector_in_the_prior_changes_nothing(router):
    query = "post the release notes in slack"
    nobody = WorkspacePrior(connectors=frozenset({"not-loaded"}))
    assert np.allclose(router.scores(query), router.scores(query, prior=nobody))
    assert router.route(query, prior=nobody).route == router.route(query).route


def test_scenarios_keep_or_withhold_the_gold_connector(router):
    idx = router.index
    gold = [idx.route_pos["github/create_issue"], -1]
    slug = "github"
    connected = workspace_priors(idx, gold, "connected", k=1)
    assert slug in connected[0].connectors and len(connected[0].connectors) == 2
    used = workspace_priors(idx, gold, "used", k=1)
    assert ("github", idx.routes[gold[0]].tool) in used[0].operations
    missing = workspace_priors(idx, gold, "not_connected", k=1)
    assert slug not in missing[0].connectors and len(missing[0].connectors) == 2
    assert workspace_priors(idx, gold, "none") == [None, None]
    assert len(missing[1].connectors) == 2  # a no-route query still gets a workspace
    with pytest.raises(ValueError, match="unknown scenario"):
        workspace_priors(idx, gold, "everything")


def test_prior_weights_are_fitted_only_as_far_as_the_data_asks():
    rng = np.random.default_rng(0)
    n, routes = 400, 30
    base = rng.normal(size=(n, routes))
    gold = rng.integers(0, routes, size=n)
    informative = np.zeros((n, routes, 2))
    informative[np.arange(n), gold, 0] = 1.0  # the gold route is always "connected"
    for row in informative:
        row[rng.choice(routes, 3, replace=False), 0] = 1.0
    noise = np.zeros((n, routes, 2))
    for row in noise:
        row[rng.choice(routes, 4, replace=False), 0] = 1.0
    fitted = fit_prior_weights(base, [informative], gold, np.zeros(2))
    assert fitted[0] > 0.5 and fitted[1] == 0.0
    assert fit_prior_weights(base, [noise], gold, np.zeros(2)).tolist() == [0.0, 0.0]


def test_workspace_prior_is_cached_and_forgotten_on_change(monkeypatch):
    calls = []

    def source(workspace_id):
        calls.append(workspace_id)
        return WorkspacePrior(frozenset({f"conn-{len(calls)}"}), frozenset({("a", "b")}))

    # The registry's only source here is this one (the workflows app's reads the database).
    monkeypatch.setattr(workspace, "_sources", {"test": source})
    workspace.workspace_prior_changed("w1")
    assert workspace.workspace_prior(None) is None
    first = workspace.workspace_prior("w1")
    assert first == WorkspacePrior(frozenset({"conn-1"}), frozenset({("a", "b")}))
    assert workspace.workspace_prior("w1") == first and calls == ["w1"]
    workspace.workspace_prior_changed("w1")
    assert workspace.workspace_prior("w1").connectors == {"conn-2"}
    assert calls == ["w1", "w1"]
