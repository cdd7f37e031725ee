"""REST framework and OpenAPI schema settings."""

from config.env import env

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.workspaces.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "apps.core.api.pagination.DefaultPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "apps.core.api.filtering.ScopedFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    # The one JSON boundary (apps.workspaces.json_boundary) in front of every API body, and
    # the only parser: form and multipart bodies skipped it (a JSON field sent as a form value
    # nested 100,000 deep was a 500), and no client of the API sends them. Others are 415.
    "DEFAULT_PARSER_CLASSES": ["apps.workspaces.api.parsers.BoundedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "apps.workspaces.api.schema.ErrorsAutoSchema",
    "EXCEPTION_HANDLER": "apps.core.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_THROTTLE_CLASSES": ["apps.workspaces.api.throttling.CallerRateThrottle"],
}
# API rate limits (apps/workspaces/api/throttling.py): "<count>/<second|minute|hour|day>",
# empty for none. 429 with Retry-After when over.
API_RATE_PER_TOKEN = env.str("API_RATE_PER_TOKEN", default="600/minute")
API_RATE_PER_WORKSPACE = env.str("API_RATE_PER_WORKSPACE", default="3000/minute")
API_RATE_ANONYMOUS = env.str("API_RATE_ANONYMOUS", default="60/minute")

SPECTACULAR_SETTINGS = {
    "TITLE": "Flowplane API",
    "DESCRIPTION": "Workflows, executions, triggers, connectors and credentials.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Stable names for choice sets that share a field name ("status", "kind"): otherwise each
    # is named by a hash of its values, which changes when a choice is added and breaks the
    # generated frontend types.
    "ENUM_NAME_OVERRIDES": {
        "WorkflowStatusEnum": "apps.workflows.models.Workflow.Status",
        "ExecutionStatusEnum": "apps.workflows.models.Execution.Status",
        "StepStatusEnum": "apps.workflows.models.ExecutionStep.Status",
        "CredentialStatusEnum": "apps.credentials.models.Credential.Status",
        "CredentialKindEnum": "apps.credentials.models.Credential.Kind",
        "TriggerKindEnum": "apps.triggers.models.Trigger.Kind",
    },
}
