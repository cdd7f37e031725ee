"""Route maps: validation with field paths, normalisation, modifiers, export round trip."""

from __future__ import annotations

import copy

import pytest

from apps.routing.routes import (
    MODIFIERS,
    Route,
    RouteMapError,
    parse_route_maps,
    route_map_export,
    routes_from_map,
)
from apps.routing.tests.factories import CALENDAR_MAP, SLACK_MAP


def test_design_format_is_accepted_and_normalised():
    data = copy.deepcopy(CALENDAR_MAP)
    data["routes"][0]["utterances"].append("  schedule   a MEETING ")  # duplicate after cleanup
    del data["routes"][1]["name"]  # name defaults to the tool
    [parsed] = parse_route_maps(data)
    assert parsed["connector"] == "google-calendar"
    assert parsed["routes"][0]["utterances"].count("schedule a meeting") == 1
    assert len(parsed["routes"][0]["utterances"]) == 4
    assert parsed["routes"][1]["name"] == "calendar.events.list"


def test_every_problem_is_reported_with_its_path():
    bad = [
        {
            "connector": "ok",
            "routes": [
                {"tool": "a", "utterances": []},
                {"tool": "b", "utterances": ["x"], "colour": 1},
            ],
        },
        {"routes": []},
    ]
    with pytest.raises(RouteMapError) as info:
        parse_route_maps(bad)
    fields = info.value.fields
    assert "[0].routes[0].utterances" in fields
    assert "[0].routes[1]" in fields  # additional property
    assert any(k.startswith("[1]") for k in fields)  # missing connector


def test_duplicate_names_and_unknown_modifiers_are_refused():
    data = {
        "connector": "x",
        "routes": [
            {"tool": "a", "name": "same", "utterances": ["u"]},
            {"tool": "b", "name": "same", "utterances": ["v"], "modifierFunc": "rm_rf"},
        ],
    }
    with pytest.raises(RouteMapError) as info:
        parse_route_maps(data)
    messages = " ".join(m for ms in info.value.fields.values() for m in ms)
    assert "used twice" in messages and "unknown modifier 'rm_rf'" in messages


def test_export_reads_back_unchanged():
    [parsed] = parse_route_maps(SLACK_MAP)
    routes = routes_from_map(parsed, source="test")
    exported = route_map_export("slack", routes)
    [again] = parse_route_maps(exported)
    assert routes_from_map(again, source="test") == routes
    assert exported["routes"][0]["modifierFunc"] == "extract_mentions"


def test_modifiers_extract_arguments_from_the_query():
    assert MODIFIERS["extract_email"]("invite ana@example.com and bo@example.org") == {
        "emails": ["ana@example.com", "bo@example.org"]
    }
    assert MODIFIERS["extract_datetime"]("lunch with Ana tomorrow at 1pm")["when"] == [
        "tomorrow",
        "at 1pm",
    ]
    assert MODIFIERS["extract_numbers"]("refund 2 items of 9.5") == {"numbers": [2, 9.5]}
    assert MODIFIERS["extract_mentions"]("ping @ana in #ops") == {"mentions": ["@ana", "#ops"]}
    assert MODIFIERS["identity"]("anything") == {}


def test_route_id_is_connector_and_name():
    route = Route(connector="c", tool="t", name="n", utterances=("u",))
    assert route.id == "c/n"
