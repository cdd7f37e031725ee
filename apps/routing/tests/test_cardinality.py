"""One or many (cardinality.py): the signs read from a request and from an operation id, and
the router's ``cardinality`` feature telling sibling operations apart on real MiniLM vectors."""

from __future__ import annotations

import dataclasses

import pytest

from apps.routing.cardinality import MANY, ONE, UNKNOWN, query_cardinality, route_cardinality
from apps.routing.params import DEFAULT_PARAMS, FEATURES
from apps.routing.tests.test_router import build


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Get an issue event", ONE),
        ("Get a health profile question", ONE),
        ("Retrieve webhook", ONE),
        ("Get user by id", ONE),
        ("Delete the release for a repository", ONE),
        ("List issue events", MANY),
        ("Get multiple projects", MANY),
        ("search for customers in Stripe", MANY),
        ("get all open pull requests", MANY),
        ("Fetch invoices for a customer", MANY),
        ("what meetings do I have this afternoon", MANY),
        ("which pull requests are open", MANY),
        ("how many issues are open", MANY),
        ("which customer is the largest", ONE),
        ("what's the weather like on Mars", UNKNOWN),
        ("", UNKNOWN),
        ("Get", UNKNOWN),
    ],
)
def test_query_cardinality(query, expected):
    assert query_cardinality(query) == expected


@pytest.mark.parametrize(
    ("operation", "expected"),
    [
        ("issues/get-event", ONE),
        ("issues/list-events", MANY),
        ("fetchHealthProfileQuestion", ONE),
        ("fetchHealthProfileQuestions", MANY),
        ("getCampaignFoldersId", ONE),
        ("SearchCustomers", MANY),
        ("get_all_users", MANY),
        ("GetServerStatus", ONE),  # "status" is not a plural
        ("v2_get", UNKNOWN),
    ],
)
def test_route_cardinality(operation, expected):
    assert route_cardinality(operation) == expected


# Two sibling operations as the first labelled set has them (twinehealth-com's OpenAPI text).
SIBLINGS = {
    "connector": "twine",
    "name": "Twine Health",
    "routes": [
        {
            "name": "fetchHealthProfileQuestions",
            "tool": "fetchHealthProfileQuestions",
            "utterances": [
                "Get a list of health profile questions",
                "fetch health profile questions",
                "get health profile question",
            ],
        },
        {
            "name": "fetchHealthProfileQuestion",
            "tool": "fetchHealthProfileQuestion",
            "utterances": [
                "Get a health profile by id",
                "fetch health profile question",
                "get health profile question id",
            ],
        },
    ],
}


def _without_the_feature(encoder):
    weights = {**DEFAULT_PARAMS.weights, "cardinality": 0.0}
    return build(encoder, dataclasses.replace(DEFAULT_PARAMS, weights=weights), maps=SIBLINGS)


def test_the_feature_is_the_product_of_the_two_signs(encoder):
    router = build(encoder, maps=SIBLINGS)
    column = FEATURES.index("cardinality")

    def feature(query):
        feats, _, _ = router.features(query)
        return {r.name: float(feats[i, column]) for i, r in enumerate(router.index.routes)}

    assert feature("Get a health profile question") == {
        "fetchHealthProfileQuestion": 1.0,
        "fetchHealthProfileQuestions": -1.0,
    }
    assert feature("List health profile questions") == {
        "fetchHealthProfileQuestion": -1.0,
        "fetchHealthProfileQuestions": 1.0,
    }
    assert set(feature("Get").values()) == {0.0}


def test_one_or_many_decides_between_near_tied_siblings(encoder):
    assert DEFAULT_PARAMS.weights["cardinality"] > 0
    query = "fetch the health profile question"
    # Their words tie the two; the plural route wins by a hair without the feature.
    assert _without_the_feature(encoder).route(query).best.route == "fetchHealthProfileQuestions"
    assert build(encoder, maps=SIBLINGS).route(query).best.route == "fetchHealthProfileQuestion"
    # A plain request for many keeps the plural route.
    many = "Get health profile questions"
    assert build(encoder, maps=SIBLINGS).route(many).best.route == "fetchHealthProfileQuestions"
