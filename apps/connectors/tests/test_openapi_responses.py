"""What an operation returns: the importer keeps the JSON schema of its first 2xx response,
references resolved and size capped, from OpenAPI 3 and Swagger 2.0 documents alike."""

import json

from apps.connectors.openapi import ParseOptions, load_document, parse_document
from apps.connectors.tests.documents import SWAGGER2_JSON

TICKETS_YAML = """
openapi: 3.0.3
info: {title: Desk, version: "1"}
servers: [{url: https://desk.example.com}]
paths:
  /tickets:
    get:
      operationId: listTickets
      responses:
        "200": {$ref: '#/components/responses/TicketPage'}
        default:
          description: An error.
          content:
            application/json:
              schema: {type: object, properties: {error: {type: string}}}
    post:
      operationId: createTicket
      responses:
        201:
          description: Created.
          content:
            application/problem+json: {schema: {type: object}}
            application/json:
              schema: {$ref: '#/components/schemas/Ticket'}
  /tickets/{id}:
    delete:
      operationId: deleteTicket
      responses:
        "204": {description: Gone.}
  /tree:
    get:
      operationId: getTree
      responses:
        2XX:
          description: A tree.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Node'}
components:
  responses:
    TicketPage:
      description: One page of tickets.
      content:
        application/json; charset=utf-8:
          schema:
            type: object
            properties:
              data: {type: array, items: {$ref: '#/components/schemas/Ticket'}}
              next_cursor: {type: string, nullable: true}
  schemas:
    Base:
      type: object
      properties:
        id: {type: string, description: The ticket's id.}
        updated_at: {type: string, format: date-time}
    Ticket:
      allOf:
        - $ref: '#/components/schemas/Base'
        - type: object
          properties:
            subject: {type: string, example: Printer on fire}
    Node:
      type: object
      properties:
        name: {type: string}
        children: {type: array, items: {$ref: '#/components/schemas/Node'}}
"""


def operations(options: ParseOptions | None = None) -> dict:
    spec = parse_document(load_document(TICKETS_YAML), options=options)
    return {op.key: op for op in spec.operations}


def test_the_first_2xx_json_response_is_kept_with_its_references_resolved():
    ops = operations()
    ticket = {
        "allOf": [
            {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},  # descriptions and examples are left out
                    "updated_at": {"type": "string", "format": "date-time"},
                },
            },
            {"type": "object", "properties": {"subject": {"type": "string"}}},
        ]
    }
    assert ops["listTickets"].response_schema == {
        "type": "object",
        "properties": {
            "data": {"type": "array", "items": ticket},
            "next_cursor": {"type": ["string", "null"]},
        },
    }
    assert ops["createTicket"].response_schema == ticket  # an integer status; the JSON type
    assert ops["deleteTicket"].response_schema is None  # 204: no body
    # A recursive schema is cut at its cycle, not expanded forever.
    tree = ops["getTree"].response_schema
    assert tree["properties"]["children"]["items"]["x-ref-cut"] == "Node"
    # Stored like the other fields (the catalogue file, the rows).
    assert ops["listTickets"].to_dict()["response_schema"] == ops["listTickets"].response_schema
    assert "response_schema" not in ops["deleteTicket"].to_dict()


def test_a_response_schema_over_the_cap_is_kept_shallower_or_not_at_all():
    full = operations()["listTickets"].response_schema
    size = len(json.dumps(full))
    shallow = operations(ParseOptions(response_schema_chars=size - 1))["listTickets"]
    assert shallow.response_schema is not None
    assert len(json.dumps(shallow.response_schema)) < size
    assert shallow.response_schema["properties"]["data"]["type"] == "array"
    assert operations(ParseOptions(response_schema_chars=10))["listTickets"].response_schema is None


def test_swagger_2_responses_are_converted_and_resolved():
    document = json.loads(SWAGGER2_JSON)
    document["paths"]["/orders/{orderId}"]["get"]["responses"]["200"]["schema"] = {
        "$ref": "#/definitions/Order"
    }
    spec = parse_document(document)
    order = next(op for op in spec.operations if op.key == "getOrder").response_schema
    assert order["type"] == "object"
    assert order["properties"]["items"]["type"] == "array"
    assert order["properties"]["items"]["items"]["type"] == "object"  # #/definitions/Item
    assert next(op for op in spec.operations if op.key == "placeOrder").response_schema is None
