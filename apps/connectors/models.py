"""The connector catalogue, curated by operators in the admin and importable from OpenAPI."""

from django.db import models


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

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.API,
                                db_index=True)
    icon = models.CharField(max_length=300, blank=True)
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

    connector = models.ForeignKey(Connector, on_delete=models.CASCADE, related_name="operations")
    key = models.CharField(max_length=150)
    name = models.CharField(max_length=200)
    method = models.CharField(max_length=7, choices=Method.choices)
    path = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    parameters_schema = models.JSONField(default=dict, blank=True)
    body_schema = models.JSONField(null=True, blank=True)
    utterances = models.JSONField(default=list, blank=True)
    enabled = models.BooleanField(default=True)
    locally_edited = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["connector", "key"],
                                               name="connector_operation_unique_key")]
        ordering = ["connector", "key"]

    def __str__(self) -> str:
        return f"{self.connector.slug}.{self.key}"
