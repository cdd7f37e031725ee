"""Version history: one version's graph and the diff between versions and the draft."""

import copy

from apps.workflows.graph_diff import graph_diff
from apps.workflows.tests.factories import SIMPLE_GRAPH, WorkflowFactory


def _publish_two(api, workspace):
    workflow = WorkflowFactory(workspace=workspace)
    base = f"/api/v1/workflows/{workflow.id}"
    assert api.post(f"{base}/publish/", {"note": "first"}, format="json").status_code == 201
    graph = copy.deepcopy(SIMPLE_GRAPH)
    graph["nodes"][1]["data"]["config"]["mapping"]["text"] = "Bye"
    graph["nodes"][0]["position"] = {"x": 5, "y": 500}
    graph["nodes"].append(
        {
            "id": "extra",
            "type": "transform",
            "position": {"x": 0, "y": 0},
            "data": {"config": {"mapping": {"a": 1}}},
        }
    )
    graph["edges"].append({"id": "e-extra", "source": "greet", "target": "extra"})
    assert api.patch(f"{base}/", {"version": 1, "graph": graph}, format="json").status_code == 200
    assert api.post(f"{base}/publish/", {}, format="json").status_code == 201
    return base


def test_a_version_with_its_graph_and_who_published_it(api, workspace, user):
    base = _publish_two(api, workspace)
    first = api.get(f"{base}/versions/1/")
    assert first.status_code == 200
    body = first.json()
    assert body["graph"] == SIMPLE_GRAPH
    assert (body["number"], body["note"], body["published_by"]) == (1, "first", user.username)
    assert body["is_live"] is False
    assert api.get(f"{base}/versions/9/").status_code == 404


def test_diff_between_two_versions_names_each_changed_setting(api, workspace):
    base = _publish_two(api, workspace)
    diff = api.get(f"{base}/diff/?base=1&head=2").json()
    text_node = SIMPLE_GRAPH["nodes"][1]
    assert diff["base"] == "1" and diff["head"] == "2"
    assert [n["id"] for n in diff["nodes"]["added"]] == ["extra"]
    assert diff["nodes"]["removed"] == []
    assert diff["nodes"]["changed"] == [
        {
            "id": text_node["id"],
            "type": text_node["type"],
            "label": "",
            "fields": [
                {
                    "path": "config.mapping.text",
                    "before": text_node["data"]["config"]["mapping"]["text"],
                    "after": "Bye",
                }
            ],
        }
    ]
    assert [n["id"] for n in diff["nodes"]["moved"]] == [SIMPLE_GRAPH["nodes"][0]["id"]]
    assert [e["id"] for e in diff["edges"]["added"]] == ["e-extra"]
    # The draft equals version 2: nothing changed since the last publish.
    since = api.get(f"{base}/diff/?base=2").json()
    assert since["head"] == "draft"
    assert all(not items for items in since["nodes"].values())
    assert all(not items for items in since["edges"].values())


def test_diff_refuses_what_is_not_a_version(api, workspace):
    base = _publish_two(api, workspace)
    for query, field in (("base=7", "base"), ("head=-1", "head"), ("base=latest", "base")):
        response = api.get(f"{base}/diff/?{query}")
        assert response.status_code == 400, query
        assert field in response.json()["fields"], response.json()


def test_edges_added_removed_and_rewired():
    before = {
        "nodes": [],
        "edges": [
            {"id": "a", "source": "x", "target": "y"},
            {"id": "b", "source": "x", "target": "z", "sourceHandle": "true"},
        ],
    }
    after = {
        "nodes": [],
        "edges": [
            {"id": "b", "source": "x", "target": "z", "sourceHandle": "false"},
            {"id": "c", "source": "y", "target": "z"},
        ],
    }
    edges = graph_diff(before, after)["edges"]
    assert [e["id"] for e in edges["added"]] == ["c"]
    assert [e["id"] for e in edges["removed"]] == ["a"]
    assert edges["changed"] == [{"id": "b", "source": "x", "target": "z", "source_handle": "false"}]


def test_a_node_whose_type_changed_and_removed_settings():
    before = {"nodes": [{"id": "n", "type": "transform", "data": {"config": {"a": 1, "b": [1]}}}]}
    after = {"nodes": [{"id": "n", "type": "filter", "data": {"config": {"b": [1, 2]}}}]}
    (changed,) = graph_diff(before, after)["nodes"]["changed"]
    assert changed["fields"] == [
        {"path": "config.a", "before": 1, "after": None},
        {"path": "config.b", "before": [1], "after": [1, 2]},
        {"path": "type", "before": "transform", "after": "filter"},
    ]
