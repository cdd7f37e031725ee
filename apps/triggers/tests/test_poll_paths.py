"""Proposed poll paths from a response schema (declared, or inferred from a sample)."""

from apps.triggers.poll_paths import paths_from_schema, schema_of


def test_a_list_at_the_root_with_id_and_timestamps():
    sample = [{"id": 7, "created_at": "2026-06-01T10:00:00Z", "updated_at": "2026-06-02T10:00Z"}]
    assert paths_from_schema(schema_of(sample)) == {
        "items_path": "@",
        "id_path": "id",
        "cursor_path": "updated_at",  # what changed last beats when it was made
    }


def test_the_first_list_of_objects_breadth_first_and_a_star_id():
    sample = {
        "meta": {"tags": ["a", "b"]},  # a list of strings is not the items
        "data": {"results": [{"ticket_id": "t1", "createdAt": "2026-06-01T10:00:00+02:00"}]},
        "next": None,
    }
    assert paths_from_schema(schema_of(sample)) == {
        "items_path": "data.results",
        "id_path": "ticket_id",
        "cursor_path": "createdAt",
    }


def test_a_declared_schema_and_names_that_need_quoting():
    schema = {
        "type": "object",
        "properties": {
            "odata.value": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "message-id": {"type": "string"},
                        "user_id": {"type": "string"},
                        "sent": {"type": "string", "format": "date-time"},
                    },
                },
            }
        },
    }
    assert paths_from_schema(schema) == {
        "items_path": '"odata.value"',
        "id_path": "user_id",
        "cursor_path": "sent",  # the only date-time
    }


def test_nothing_to_propose():
    assert paths_from_schema(schema_of({"ok": True, "day": "2026-06-01"})) == {
        "items_path": None,
        "id_path": None,
        "cursor_path": None,
    }
    # A date alone is no cursor; items without an id get none.
    assert paths_from_schema(schema_of({"rows": [{"day": "2026-06-01", "n": 1}]})) == {
        "items_path": "rows",
        "id_path": None,
        "cursor_path": None,
    }


def test_a_declared_response_the_list_with_ids_required_ids_and_unix_times():
    item = {
        "type": "object",
        "required": ["ts", "text"],
        "properties": {
            "bot_id": {"type": "string"},  # optional: no identity
            "ts": {"type": "string"},
            "created": {"type": "integer"},  # Unix time, named like a stamp
            "size": {"type": "integer"},
        },
    }
    schema = {
        "type": "object",
        "properties": {
            "defaultReminders": {
                "type": "array",
                "items": {"properties": {"method": {"type": "string"}}},  # no type, no id
            },
            "items": {
                "type": "array",
                "items": {"allOf": [{"properties": {"id": {"type": "string"}}}, item]},
            },
            "next_page_token": {"type": "string"},
        },
    }
    assert paths_from_schema(schema) == {
        "items_path": "items",  # the first list whose objects have an id
        "id_path": "id",
        "cursor_path": "created",
    }
    assert paths_from_schema({"type": "array", "items": item}) == {
        "items_path": "@",
        "id_path": None,  # bot_id is not required
        "cursor_path": "created",
    }
