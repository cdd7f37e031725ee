"""Two global thresholds: one without a workspace prior, one with it (real MiniLM vectors).

The prior's presence picks the threshold; route and connector thresholds still come first;
older stored fits (one threshold) keep working; the fit takes each threshold from its own
scenarios, checked here against a sweep over the router's own decisions.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from apps.routing.evaluation import Example, fit, scenario_priors, with_params
from apps.routing.params import DEFAULT_PARAMS, RouterParams
from apps.routing.prior import WorkspacePrior
from apps.routing.scenarios import SCENARIOS
from apps.routing.tests.test_router import build

CALENDAR = WorkspacePrior(connectors=frozenset({"google-calendar"}))
QUERY = "put a meeting with Ana on my calendar tomorrow"


@pytest.fixture(scope="module")
def router(encoder):
    return build(encoder)


def _with_thresholds(router, **changes):
    return with_params(router, dataclasses.replace(router.params, **changes))


def test_the_prior_s_presence_picks_the_global_threshold(router):
    # Only the workspace threshold lets the answer through, then only the workspace-less one.
    strict_alone = _with_thresholds(router, threshold=0.999, workspace_threshold=0.05)
    alone, within = strict_alone.route(QUERY), strict_alone.route(QUERY, prior=CALENDAR)
    assert alone.route is None and alone.threshold == 0.999
    assert within.route == "create_event" and within.threshold == 0.05
    # An empty prior says nothing about the workspace: the workspace-less threshold applies.
    assert strict_alone.route(QUERY, prior=WorkspacePrior()).threshold == 0.999

    strict_within = _with_thresholds(router, threshold=0.05, workspace_threshold=0.999)
    assert strict_within.route(QUERY).route == "create_event"
    blocked = strict_within.route(QUERY, prior=CALENDAR)
    assert blocked.route is None and blocked.threshold == 0.999
    # Also when the decision stops early (no routes for the connector asked for).
    assert strict_within.route(QUERY, connector="nope", prior=CALENDAR).threshold == 0.999


def test_a_route_s_fitted_threshold_still_comes_first(router):
    pinned = _with_thresholds(
        router,
        threshold=0.999,
        workspace_threshold=0.999,
        route_thresholds={"google-calendar/create_event": 0.05},
    )
    for prior in (None, CALENDAR):
        decision = pinned.route(QUERY, prior=prior)
        assert decision.route == "create_event" and decision.threshold == 0.05


def test_params_round_trip_and_an_older_fit_uses_its_threshold_for_both():
    params = dataclasses.replace(DEFAULT_PARAMS, threshold=0.7, workspace_threshold=0.6)
    assert RouterParams.from_json(params.to_json()) == params
    older = params.to_json()
    del older["workspace_threshold"]
    restored = RouterParams.from_json(older)
    assert restored.threshold == restored.workspace_threshold == 0.7


# Queries for the small route map, several vague enough that the router is unsure or wrong.
LABELLED = [
    ("put a meeting with Ana on my calendar tomorrow", "google-calendar", "calendar.events.insert"),
    ("book some time with the design team", "google-calendar", "calendar.events.insert"),
    ("set up a sync on thursday", "google-calendar", "calendar.events.insert"),
    ("create one for next friday", "google-calendar", "calendar.events.insert"),
    ("what do I have going on today", "google-calendar", "calendar.events.list"),
    ("show me what is coming up", "google-calendar", "calendar.events.list"),
    ("any plans this afternoon", "google-calendar", "calendar.events.list"),
    ("list them", "google-calendar", "calendar.events.list"),
    ("call off my 3pm appointment", "google-calendar", "calendar.events.delete"),
    ("drop the standup", "google-calendar", "calendar.events.delete"),
    ("get rid of it", "google-calendar", "calendar.events.delete"),
    ("let the team know in slack that we shipped", "slack", "chat.postMessage"),
    ("tell everyone lunch is here", "slack", "chat.postMessage"),
    ("send a note saying the deploy is done", "slack", "chat.postMessage"),
    ("share the update", "slack", "chat.postMessage"),
    ("which channels do we have", "slack", "conversations.list"),
    ("show me the rooms", "slack", "conversations.list"),
    ("list all of them", "slack", "conversations.list"),
    ("report a bug in our github repo", "github", "issues/create"),
    ("the login page is broken, track it", "github", "issues/create"),
    ("write up a ticket for this", "github", "issues/create"),
    ("create a new one", "github", "issues/create"),
    ("which pull requests are open", "github", "pulls/list"),
    ("what is waiting for my review", "github", "pulls/list"),
    ("show the changes people proposed", "github", "pulls/list"),
    ("list what is open", "github", "pulls/list"),
]


def _lowest_reaching(conf: np.ndarray, correct: np.ndarray, target: float) -> float | None:
    for t in np.round(np.arange(0.05, 0.991, 0.01), 2):
        answered = conf >= t
        if answered.sum() >= 5 and correct[answered].mean() >= target:
            return float(t)
    return None


def test_the_fit_takes_each_threshold_from_its_own_scenarios(router):
    examples = [Example(q, c, t) for q, c, t in LABELLED]
    target = 0.9
    params, summary = fit(
        router, examples, target_precision=target, fit_weights=False, scenarios=SCENARIOS
    )
    assert (summary["threshold"], summary["workspace_threshold"]) == (
        params.threshold,
        params.workspace_threshold,
    )
    fitted = with_params(router, params)
    # The fitted router's own confidences, per scenario (the fit's simulated workspaces).
    conf, correct = {}, {}
    for name in SCENARIOS:
        priors = scenario_priors(fitted, examples, name)
        decisions = [
            fitted.route(ex.query, use_llm=False, prior=p)
            for ex, p in zip(examples, priors, strict=True)
        ]
        conf[name] = np.array([d.confidence for d in decisions])
        correct[name] = np.array(
            [
                (d.best.connector, d.best.operation) == (ex.connector, ex.tool)
                for d, ex in zip(decisions, examples, strict=True)
            ]
        )
    alone = _lowest_reaching(conf["none"], correct["none"], target)
    within = _lowest_reaching(
        np.concatenate([conf[s] for s in SCENARIOS[1:]]),
        np.concatenate([correct[s] for s in SCENARIOS[1:]]),
        target,
    )
    assert alone is not None and within is not None
    assert (params.threshold, params.workspace_threshold) == (alone, within)
    # The split matters on this set: one threshold could not serve both.
    assert params.threshold != params.workspace_threshold
