"""The OpenAPI parser on real-shaped documents: no database, no network."""

import json

import jsonschema
import pytest

from apps.connectors.openapi import (
    ApiSpec,
    OpenAPIError,
    ParseOptions,
    load_document,
    parse_document,
    short_title,
)
from apps.connectors.openapi.categories import HINTS, guess_category
from apps.connectors.openapi.refs import RefResolver
from apps.connectors.openapi.text import clean_markdown, first_sentence, utterances_for
from apps.connectors.tests.documents import PETS_V3_YAML, SWAGGER2_JSON


@pytest.fixture(scope="module")
def pets() -> ApiSpec:
    return parse_document(load_document(PETS_V3_YAML))


def test_connector_level_facts(pets):
    assert pets.title == "Pet Clinic API"
    assert pets.version == "2024-05-01"  # a YAML date stays text
    assert pets.description.startswith("The Pet Clinic API manages pets and their owners.")
    assert "**" not in pets.description and "](" not in pets.description
    assert pets.base_url == "https://eu.pets.example.com/v1"  # https server, variable filled
    assert pets.docs_url == "https://docs.example.com/pets"
    assert pets.icon == "https://example.com/logo.png"
    assert pets.source_format == "openapi 3.0.3"
    assert pets.utterances[0] == "use Pet Clinic"


def test_operation_keys_names_and_flags(pets):
    keys = [op.key for op in pets.operations]
    assert keys == ["listPets", "createPet", "get_pets_petid", "deletePet", "getMe", "plantTree"]
    by_key = {op.key: op for op in pets.operations}
    assert by_key["listPets"].name == "Lists all pets"
    assert by_key["get_pets_petid"].name == "Info for a specific pet"
    assert by_key["deletePet"].name == "Deletes a pet"  # from the description's first sentence
    assert by_key["deletePet"].deprecated is True
    assert by_key["listPets"].tags == ["pets"]
    assert by_key["listPets"].method == "GET" and by_key["createPet"].method == "POST"
    # The raw text is kept for the routing evaluation export.
    assert by_key["listPets"].raw_description == "Returns the pets of the clinic, *newest first*."


def test_parameters_are_one_json_schema(pets):
    schema = next(op for op in pets.operations if op.key == "listPets").parameters_schema
    jsonschema.Draft202012Validator.check_schema(schema)
    props = schema["properties"]
    # Path-level $ref parameter merged in; Authorization and the api_key scheme's header
    # are left to the credential injector.
    assert set(props) == {"limit", "species", "X-Request-Id"}
    assert props["limit"] == {
        "type": "integer",
        "format": "int32",
        "maximum": 100,
        "description": "How many items to return at one time (max 100)",
        "x-in": "query",
    }
    assert props["species"]["enum"] == ["cat", "dog"]
    assert props["X-Request-Id"]["x-in"] == "header"
    assert schema["additionalProperties"] is False
    jsonschema.validate({"limit": 10, "species": "cat"}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"limit": 1000}, schema)


def test_path_parameters_are_required(pets):
    schema = next(op for op in pets.operations if op.key == "get_pets_petid").parameters_schema
    assert schema["required"] == ["petId"]
    assert schema["properties"]["petId"]["x-in"] == "path"


def test_request_body_refs_resolved_and_cleaned(pets):
    op = next(op for op in pets.operations if op.key == "createPet")
    assert op.body_content_type == "application/json"  # preferred over application/xml
    body = op.body_schema
    jsonschema.Draft202012Validator.check_schema(body)
    assert "id" not in body["properties"]  # readOnly: never sent
    assert body["required"] == ["name"]
    assert body["properties"]["name"] == {"type": "string", "description": "The name."}
    assert body["properties"]["tag"]["type"] == ["string", "null"]  # nullable
    assert body["properties"]["owner"]["properties"]["email"]["format"] == "email"
    # A property named like a dropped keyword survives.
    assert body["properties"]["example"]["type"] == "string"
    jsonschema.validate({"name": "Rex", "tag": None}, body)


def test_reference_cycles_are_cut(pets):
    body = next(op for op in pets.operations if op.key == "plantTree").body_schema
    child = body["properties"]["children"]["items"]
    assert child == {"x-ref-cut": "Node", "type": "object", "title": "Node"}
    jsonschema.Draft202012Validator.check_schema(body)


def test_reference_depth_and_budget_bounds():
    document = {
        "components": {
            "schemas": {
                "A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}},
                "B": {"type": "object", "properties": {"c": {"$ref": "#/components/schemas/C"}}},
                "C": {"type": "string"},
            }
        }
    }
    shallow = RefResolver(document, max_depth=1).resolve({"$ref": "#/components/schemas/A"})
    assert shallow["properties"]["b"] == {"x-ref-cut": "B", "type": "object"}
    deep = RefResolver(document, max_depth=5).resolve({"$ref": "#/components/schemas/A"})
    assert deep["properties"]["b"]["properties"]["c"] == {"type": "string"}
    starved = RefResolver(document, budget=2).resolve({"$ref": "#/components/schemas/A"})
    assert starved["properties"]["b"]["x-ref-cut"] == "B"


def test_unresolvable_and_external_refs_are_reported():
    resolver = RefResolver({"components": {}})
    assert resolver.resolve({"$ref": "#/components/schemas/Missing"}) == {
        "x-ref-cut": "#/components/schemas/Missing"
    }
    resolver.resolve({"$ref": "other.yaml#/Pet"})
    assert resolver.warnings == [
        "unresolved reference #/components/schemas/Missing",
        "external reference other.yaml#/Pet not followed",
    ]


def test_security_schemes_become_auth_schemes(pets):
    schemes = {s.key: s.to_dict() for s in pets.auth_schemes}
    assert schemes["api_key"] == {
        "key": "api_key",
        "kind": "api_key",
        "location": "header",
        "name": "api_key",
    }
    assert schemes["bearer"] == {
        "key": "bearer",
        "kind": "http_bearer",
        "scheme": "bearer",
        "bearer_format": "JWT",
    }
    assert schemes["basic"]["kind"] == "http_basic"
    oauth = schemes["oauth"]
    assert oauth["kind"] == "oauth2" and oauth["description"] == "OAuth2 with PKCE."
    assert oauth["flows"]["authorization_code"] == {
        "authorization_url": "https://auth.example.com/authorize",
        "token_url": "https://auth.example.com/token",
        "refresh_url": "https://auth.example.com/refresh",
        "scopes": {"pets:read": "Read your pets", "pets:write": "Modify your pets"},
    }
    assert oauth["flows"]["client_credentials"] == {
        "token_url": "https://auth.example.com/token",
        "scopes": {},
    }


def test_utterances_are_short_clean_phrasings(pets):
    by_key = {op.key: op for op in pets.operations}
    assert by_key["listPets"].utterances == [
        "list all pets",
        "return the pets of the clinic, newest first",
        "list pets",
    ]
    assert by_key["getMe"].utterances == ["return the signed-in owner", "get me"]
    for op in pets.operations:
        assert all(len(u) <= 120 and "*" not in u for u in op.utterances)


def test_health_check_prefers_a_cheap_me_read(pets):
    assert pets.health_check_operation == "getMe"


def test_swagger2_is_converted():
    spec = parse_document(load_document(SWAGGER2_JSON))
    assert spec.source_format == "swagger 2.0 (converted)"
    assert spec.base_url == "https://store.example.com/api"
    by_key = {op.key: op for op in spec.operations}
    place = by_key["placeOrder"]
    assert place.body_content_type == "application/json"
    assert place.body_schema["properties"]["items"]["items"] == {
        "type": "object",
        "properties": {"sku": {"type": "string"}},
    }
    assert place.parameters_schema["properties"] == {}  # api_key belongs to the injector
    get = by_key["getOrder"]
    assert get.parameters_schema["required"] == ["orderId"]
    assert get.parameters_schema["properties"]["orderId"]["type"] == "integer"
    assert get.parameters_schema["properties"]["expand"]["type"] == ["array", "null"]
    upload = by_key["uploadFile"]
    assert upload.body_content_type == "multipart/form-data"
    assert upload.body_schema["properties"]["file"] == {"type": "string", "format": "binary"}
    assert upload.body_schema["required"] == ["file"]
    kinds = {s.key: s.kind for s in spec.auth_schemes}
    assert kinds == {"basicAuth": "http_basic", "key": "api_key", "oauth": "oauth2"}
    oauth = next(s for s in spec.auth_schemes if s.key == "oauth")
    assert oauth.flows["authorization_code"]["token_url"] == "https://store.example.com/oauth/token"


def test_json_and_yaml_load_the_same():
    assert load_document(SWAGGER2_JSON.encode()) == json.loads(SWAGGER2_JSON)
    assert load_document(b"\xef\xbb\xbfopenapi: 3.0.0\ninfo: {title: x}\n")["openapi"] == "3.0.0"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("[1, 2]", "not a mapping"),
        ("{not json", "neither valid JSON nor YAML"),
        ("openapi: 3.0.0\ninfo: {title: x}\n", "no 'paths'"),
        ("swagger: '1.2'\npaths: {}\n", "Not an OpenAPI 3"),
        ("openapi: 3.0.0\ninfo: {title: x}\npaths: {/a: {options: {}}}\n", "no operations"),
        ("!!python/object:os.system {}", "neither valid JSON nor YAML"),
    ],
)
def test_unusable_documents_are_refused(text, message):
    with pytest.raises(OpenAPIError, match=message):
        parse_document(load_document(text))


def test_max_operations_and_long_keys():
    paths = {f"/r{i}": {"get": {"operationId": ("x" * 200) + str(i)}} for i in range(5)}
    spec = parse_document(
        {"openapi": "3.0.0", "info": {"title": "T"}, "paths": paths},
        options=ParseOptions(max_operations=3),
    )
    assert len(spec.operations) == 3
    assert all(len(op.key) <= 150 for op in spec.operations)
    assert len({op.key for op in spec.operations}) == 3


def test_duplicate_operation_ids_get_suffixes():
    paths = {"/a": {"get": {"operationId": "dup"}}, "/b": {"get": {"operationId": "dup"}}}
    spec = parse_document({"openapi": "3.1.0", "info": {"title": "T"}, "paths": paths})
    assert [op.key for op in spec.operations] == ["dup", "dup_2"]


def test_spec_round_trips_through_the_catalogue_form(pets):
    again = ApiSpec.from_dict(json.loads(json.dumps(pets.to_dict())))
    assert again.to_dict() == pets.to_dict()
    assert again.operations[0].summary == ""  # raw text is not part of the catalogue form


def test_markdown_and_sentences():
    text = (
        "## Heading\n\nUse [the docs](https://x.y) or <b>HTML</b> &amp; `code`.\n"
        "* item one\n* item two\n\n```\nblock\n```"
    )
    assert clean_markdown(text) == "Heading\n\nUse the docs or HTML & code. item one item two"
    assert first_sentence("Get e.g. a pet. Then more.") == "Get e.g. a pet."
    assert utterances_for(summary="", description="", key="get_pets") == []


def test_short_title_and_category_hints():
    assert short_title("Gmail API") == "Gmail"
    assert short_title("Twilio - Api") == "Twilio"
    assert short_title("The Stripe REST API") == "Stripe"
    assert guess_category(["cloud", "messaging"]) == "developer"
    assert guess_category(["unknown"]) == "api"
    from apps.connectors.models import Connector

    assert set(HINTS.values()) <= set(Connector.Category.values)
