"""The router on real MiniLM vectors: the issue's user stories, thresholds, hierarchy,
fallbacks (lexical when the encoder fails, LLM when configured), and the decision's shape."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from apps.routing.encoders import EncoderError
from apps.routing.llm import ChatClient
from apps.routing.params import DEFAULT_PARAMS
from apps.routing.router import RouteIndex, Router, action_class
from apps.routing.routes import ConnectorInfo, parse_route_maps, routes_from_map
from apps.routing.tests.factories import ALL_MAPS


def build(encoder, params=DEFAULT_PARAMS, llm=None, maps=ALL_MAPS):
    routes, infos = [], []
    for item in parse_route_maps(maps):
        routes += routes_from_map(item, source="test")
        infos.append(
            ConnectorInfo(
                slug=item["connector"],
                name=item.get("name", ""),
                description=item.get("description", ""),
                threshold=item.get("threshold"),
            )
        )
    return Router(RouteIndex(routes, infos, encoder.inner.encode), encoder, params, llm=llm)


@pytest.fixture(scope="module")
def router(encoder):
    return build(encoder)


def test_calendar_story_answers_create_event_with_alternatives_and_reasoning(router):
    decision = router.route("put a meeting with Ana on my calendar tomorrow", top_k=3)
    assert (decision.connector, decision.operation, decision.route) == (
        "google-calendar",
        "calendar.events.insert",
        "create_event",
    )
    assert decision.threshold == DEFAULT_PARAMS.threshold
    assert decision.confidence >= decision.threshold
    assert decision.decided_by == "router"
    assert len(decision.alternatives) == 2
    assert all(a.route != "create_event" for a in decision.alternatives)
    assert "create_event" in decision.reasoning and "closest utterance" in decision.reasoning
    assert decision.arguments == {"when": ["tomorrow"]}  # the route's modifierFunc
    assert decision.confidence == pytest.approx(
        min(decision.connector_confidence, decision.tool_confidence)
    )


def test_weather_on_mars_is_no_route_with_its_best_low_score(router):
    decision = router.route("what's the weather like on Mars")
    assert decision.route is None and decision.connector is None
    assert decision.decided_by == "none"
    assert decision.confidence < DEFAULT_PARAMS.threshold
    assert decision.alternatives  # the best candidates are still shown
    assert "No route" in decision.reasoning and "below the threshold" in decision.reasoning


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("what meetings do I have this afternoon", "list_events"),
        ("call off my 3pm appointment", "delete_event"),
        ("let the team know in slack that we shipped", "post_message"),
        ("report a bug in our github repo", "create_issue"),
        ("which pull requests are open", "list_pull_requests"),
    ],
)
def test_top_choice_for_paraphrases(router, query, expected):
    assert router.route(query).best.route == expected


def test_connector_restricts_the_choice(router):
    decision = router.route("send a message", connector="github")
    assert decision.best.connector == "github"
    assert all(a.connector == "github" for a in decision.alternatives)
    assert decision.connector_confidence == 1.0
    unknown = router.route("send a message", connector="nope")
    assert unknown.route is None and "No routes for connector" in unknown.reasoning


def test_route_threshold_beats_connector_and_global(encoder):
    maps = [dict(m) for m in ALL_MAPS]
    maps[0] = {
        **maps[0],
        "threshold": 0.05,
        "routes": [
            {**r, "threshold": 0.999} if r["name"] == "create_event" else r
            for r in maps[0]["routes"]
        ],
    }
    router = build(encoder, maps=maps)
    strict = router.route("put a meeting with Ana on my calendar tomorrow")
    assert strict.route is None and strict.threshold == 0.999
    lenient = router.route("delete an event")  # connector threshold 0.05 applies
    assert lenient.route == "delete_event" and lenient.threshold == 0.05


def test_lexical_fallback_when_the_encoder_fails(router):
    class Broken:
        key, dim = router.encoder.key, router.encoder.dim

        def encode(self, texts):
            raise EncoderError("embeddings API down")

    broken = Router(router.index, Broken(), router.params)
    decision = broken.route("open an issue in the github repository")
    assert decision.best.route == "create_issue"
    assert "lexical scoring only" in decision.reasoning


def test_llm_fallback_picks_a_candidate_or_none(encoder, fake_openai):
    llm = ChatClient(base_url=fake_openai.url + "/v1", model="test-model")
    # A threshold no score reaches, so the decision always falls to the LLM.
    router = build(encoder, params=dataclasses.replace(DEFAULT_PARAMS, threshold=1.01), llm=llm)
    fake_openai.reply(
        tool_calls=[
            {
                "name": "select_route",
                "arguments": {
                    "route": "google-calendar/list_events",
                    "reason": "asks what is planned",
                },
            }
        ]
    )
    decision = router.route("anything planned for friday?")
    assert decision.decided_by == "llm" and decision.route == "list_events"
    assert "asks what is planned" in decision.reasoning
    sent = fake_openai.chat_requests()[-1]["body"]
    enum = sent["tools"][0]["function"]["parameters"]["properties"]["route"]["enum"]
    assert "none" in enum and "google-calendar/list_events" in enum
    assert sent["tool_choice"]["function"]["name"] == "select_route"

    fake_openai.reply(
        tool_calls=[
            {"name": "select_route", "arguments": {"route": "none", "reason": "not an API request"}}
        ]
    )
    mars = router.route("what's the weather like on Mars")
    assert mars.route is None and mars.decided_by == "llm"


def test_llm_failure_falls_back_to_no_route(encoder, fake_openai):
    router = build(encoder, llm=ChatClient(base_url=fake_openai.url, model="m"))
    fake_openai.fail(500)
    fake_openai.fail(500)
    fake_openai.fail(500)
    decision = router.route("what's the weather like on Mars")
    assert decision.route is None and decision.decided_by == "none"


def test_llm_inventing_a_route_is_not_trusted(encoder, fake_openai):
    router = build(encoder, llm=ChatClient(base_url=fake_openai.url, model="m"))
    fake_openai.reply(
        tool_calls=[
            {"name": "select_route", "arguments": {"route": "evil/drop_tables", "reason": "x"}}
        ]
    )
    decision = router.route("what's the weather like on Mars")
    assert decision.route is None and decision.decided_by == "none"


def test_empty_router_and_empty_query(encoder):
    empty = Router(RouteIndex([], [], encoder.inner.encode), encoder)
    assert empty.route("hello").route is None
    assert "No routes" in empty.route("hello").reasoning


def test_scores_are_one_matrix_product_over_all_routes(router):
    scores = router.scores("create a new issue")
    assert scores.shape == (len(router.index),)
    assert router.index.utterance_vectors.dtype == np.float32


@pytest.mark.parametrize(
    ("text", "cls"),
    [
        ("Create a webhook", "c"),
        ("Lists the drafts", "r"),
        ("deletes a user", "d"),
        ("Update purchase information", "u"),
        ("the weather on Mars", None),
    ],
)
def test_action_classes(text, cls):
    assert action_class(text) == cls
