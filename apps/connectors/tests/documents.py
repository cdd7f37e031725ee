"""Small documents shaped like real published ones (petstore-style OpenAPI 3 in YAML, a
Swagger 2.0 JSON document), used by the parser, service, admin and command tests."""

import json

PETS_V3_YAML = """\
openapi: 3.0.3
info:
  title: Pet Clinic API
  version: 2024-05-01
  description: |
    The **Pet Clinic** API manages [pets](https://example.com/pets) and their owners.

    See the `docs` for details.
  x-logo:
    url: https://example.com/logo.png
externalDocs:
  url: https://docs.example.com/pets
servers:
  - url: http://{region}.pets.example.com/v1
    variables:
      region:
        default: eu
  - url: https://{region}.pets.example.com/v1
    variables:
      region:
        default: eu
tags:
  - name: pets
paths:
  /pets:
    parameters:
      - $ref: '#/components/parameters/Limit'
    get:
      operationId: listPets
      summary: Lists all pets.
      description: Returns the pets of the clinic, *newest first*.
      tags: [pets]
      parameters:
        - name: species
          in: query
          schema: {type: string, enum: [cat, dog]}
        - name: X-Request-Id
          in: header
          schema: {type: string}
        - name: Authorization
          in: header
          schema: {type: string}
        - name: api_key
          in: header
          schema: {type: string}
      responses:
        '200': {description: ok}
    post:
      operationId: createPet
      summary: Creates a pet
      tags: [pets]
      requestBody:
        $ref: '#/components/requestBodies/PetBody'
      responses:
        '201': {description: created}
  /pets/{petId}:
    get:
      summary: Info for a specific pet
      tags: [pets]
      parameters:
        - name: petId
          in: path
          required: true
          description: The id of the pet to retrieve
          schema: {type: string}
      responses:
        '200': {description: ok}
    delete:
      operationId: deletePet
      deprecated: true
      description: Deletes a pet. Use with care.
      parameters:
        - name: petId
          in: path
          required: true
          schema: {type: string}
      responses:
        '204': {description: gone}
  /me:
    get:
      operationId: getMe
      summary: Returns the signed-in owner
      responses:
        '200': {description: ok}
  /tree:
    post:
      operationId: plantTree
      summary: Stores a family tree
      requestBody:
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/Node'
      responses:
        '200': {description: ok}
components:
  parameters:
    Limit:
      name: limit
      in: query
      description: How many items to return at one time (max 100)
      schema: {type: integer, format: int32, maximum: 100}
  requestBodies:
    PetBody:
      required: true
      content:
        application/xml:
          schema: {$ref: '#/components/schemas/Pet'}
        application/json:
          schema: {$ref: '#/components/schemas/Pet'}
  schemas:
    Pet:
      type: object
      required: [id, name]
      properties:
        id: {type: integer, format: int64, readOnly: true}
        name: {type: string, example: Rex, description: 'The **name**.'}
        tag: {type: string, nullable: true}
        owner: {$ref: '#/components/schemas/Owner'}
        example: {type: string, description: A property literally called example.}
    Owner:
      type: object
      properties:
        email: {type: string, format: email}
    Node:
      type: object
      title: Node
      properties:
        label: {type: string}
        children:
          type: array
          items: {$ref: '#/components/schemas/Node'}
  securitySchemes:
    api_key:
      type: apiKey
      in: header
      name: api_key
    bearer:
      type: http
      scheme: bearer
      bearerFormat: JWT
    basic:
      type: http
      scheme: basic
    oauth:
      type: oauth2
      description: OAuth2 with **PKCE**.
      flows:
        authorizationCode:
          authorizationUrl: https://auth.example.com/authorize
          tokenUrl: https://auth.example.com/token
          refreshUrl: https://auth.example.com/refresh
          scopes:
            pets:read: Read your pets
            pets:write: Modify your pets
        clientCredentials:
          tokenUrl: https://auth.example.com/token
          scopes: {}
"""

SWAGGER2 = {
    "swagger": "2.0",
    "info": {"title": "Legacy Store API", "version": "1.0.0", "description": "An old store."},
    "host": "store.example.com",
    "basePath": "/api",
    "schemes": ["http", "https"],
    "consumes": ["application/json"],
    "securityDefinitions": {
        "basicAuth": {"type": "basic"},
        "key": {"type": "apiKey", "in": "query", "name": "api_key"},
        "oauth": {
            "type": "oauth2",
            "flow": "accessCode",
            "authorizationUrl": "https://store.example.com/oauth/authorize",
            "tokenUrl": "https://store.example.com/oauth/token",
            "scopes": {"orders": "Manage orders"},
        },
    },
    "parameters": {
        "orderId": {"name": "orderId", "in": "path", "required": True, "type": "integer"},
    },
    "paths": {
        "/orders": {
            "post": {
                "operationId": "placeOrder",
                "summary": "Places an order",
                "parameters": [
                    {
                        "name": "body",
                        "in": "body",
                        "required": True,
                        "schema": {"$ref": "#/definitions/Order"},
                    },
                    {"name": "api_key", "in": "query", "type": "string"},
                ],
                "responses": {"200": {"description": "ok"}},
            },
        },
        "/orders/{orderId}": {
            "parameters": [{"$ref": "#/parameters/orderId"}],
            "get": {
                "operationId": "getOrder",
                "summary": "Finds an order",
                "parameters": [
                    {
                        "name": "expand",
                        "in": "query",
                        "type": "array",
                        "items": {"type": "string"},
                        "x-nullable": True,
                    }
                ],
                "responses": {"200": {"description": "ok"}},
            },
        },
        "/uploads": {
            "post": {
                "operationId": "uploadFile",
                "consumes": ["multipart/form-data"],
                "parameters": [
                    {"name": "file", "in": "formData", "type": "file", "required": True},
                    {"name": "note", "in": "formData", "type": "string"},
                ],
                "responses": {"200": {"description": "ok"}},
            },
        },
    },
    "definitions": {
        "Order": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "items": {"type": "array", "items": {"$ref": "#/definitions/Item"}},
            },
        },
        "Item": {"type": "object", "properties": {"sku": {"type": "string"}}},
    },
}
SWAGGER2_JSON = json.dumps(SWAGGER2)


def pets_v3(**changes: str) -> str:
    """The petstore YAML with textual replacements (to simulate a newer published version)."""
    text = PETS_V3_YAML
    for old, new in changes.items():
        text = text.replace(old, new)
    return text
