class OpenAPIError(ValueError):
    """The document cannot be imported (not YAML/JSON, not OpenAPI, no usable operations)."""
