"""Workflows, their immutable published versions, and the record of every execution."""

import uuid

from django.conf import settings
from django.db import models

from apps.workspaces.models import Workspace


def empty_graph() -> dict:
    return {"nodes": [], "edges": []}


class Priority(models.IntegerChoices):
    """Workers take queued runs by priority, then oldest first."""

    LOW = 0, "Low"
    NORMAL = 1, "Normal"
    HIGH = 2, "High"


class Workflow(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="workflows")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    graph = models.JSONField(default=empty_graph)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Optimistic concurrency: every save must name the version it read.
    version = models.PositiveIntegerField(default=1)
    priority = models.SmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    # Workflow-level retry of a failed run (step retries are per block): how many more runs,
    # the first after `retry_delay_seconds`, each next one after twice the last delay.
    retry_attempts = models.PositiveSmallIntegerField(default=0)
    retry_delay_seconds = models.PositiveIntegerField(default=60)
    # Offered to MCP clients as a tool while published (apps/workflows/mcp/).
    is_tool = models.BooleanField(default=False)
    published_version = models.ForeignKey(
        "WorkflowVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "-updated_at"], name="workflow_ws_updated")]

    def __str__(self) -> str:
        return self.name


class WorkflowVersion(models.Model):
    """An immutable snapshot taken at publish time; triggers run these."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    graph = models.JSONField()
    note = models.CharField(max_length=200, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workflow", "number"], name="workflow_version_unique_number"
            )
        ]

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValueError("Published workflow versions are immutable.")
        super().save(*args, **kwargs)


class Execution(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        WAITING = "waiting", "Waiting"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    class Mode(models.TextChoices):
        MANUAL = "manual", "Manual"
        API = "api", "API"
        TEST = "test", "Test (draft)"
        WEBHOOK = "webhook", "Webhook"
        SCHEDULE = "schedule", "Schedule"
        POLL = "poll", "Polling"
        RETRY = "retry", "Re-run"
        SUB = "sub", "Sub-workflow"

    FINISHED = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Denormalised from the workflow: scoping and per-workspace fairness read it on hot paths.
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="executions")
    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="executions")
    version = models.ForeignKey(
        WorkflowVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="executions"
    )
    # Test runs execute the draft: its graph is frozen here so edits don't change a running test.
    draft_graph = models.JSONField(null=True, blank=True)
    trigger = models.ForeignKey(
        "triggers.Trigger",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="executions",
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    # For sub-workflow children: the parent's step waiting for this result.
    parent_step = models.CharField(max_length=200, blank=True)
    # For re-runs: the node to run again (with everything downstream); upstream is reused.
    rerun_from_node = models.CharField(max_length=100, blank=True)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.MANUAL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    priority = models.SmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    # 1 for a first run; a workflow-level retry of a failed run counts on from its parent.
    attempt = models.PositiveSmallIntegerField(default=1)
    input = models.JSONField(default=dict, blank=True)
    output = models.JSONField(null=True, blank=True)
    error = models.JSONField(null=True, blank=True)
    wake_at = models.DateTimeField(null=True, blank=True)
    # Resume payloads for waiting steps, by step key (approvals, resume URLs, child results).
    resumes = models.JSONField(default=dict, blank=True)
    cancel_requested = models.BooleanField(default=False)
    # The worker running it holds a lease it keeps renewing; an expired lease means the
    # worker died and the sweep hands the execution to another.
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # How often a worker died while running it (an expired lease found by the sweep).
    deliveries = models.PositiveIntegerField(default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The W3C traceparent of the span that accepted it (a webhook or API request); the worker
    # continues that trace. Empty when tracing is off (apps/observability/tracing.py).
    trace_context = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "parent_step"],
                condition=~models.Q(parent_step=""),
                name="execution_unique_child_per_step",
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="execution_ws_created"),
            models.Index(fields=["workflow", "-created_at"], name="execution_wf_created"),
            models.Index(fields=["status", "wake_at"], name="execution_status_wake"),
            models.Index(fields=["status", "lease_expires_at"], name="execution_status_lease"),
            # Workers claim the queued row of highest priority, oldest first, and count a
            # workspace's running ones.
            models.Index(
                fields=["-priority", "created_at"],
                condition=models.Q(status="queued"),
                name="execution_queued_order",
            ),
            models.Index(
                fields=["workspace"],
                condition=models.Q(status="running"),
                name="execution_running_ws",
            ),
            # The Monitoring page aggregates a workspace's runs of a time range from this
            # index alone on PostgreSQL (index-only scans; SQLite ignores `include`).
            models.Index(
                fields=["workspace", "created_at"],
                include=["id", "workflow", "status", "started_at", "finished_at"],
                name="execution_ws_created_stats",
            ),
            # Monitoring rollups (monitoring/rollup.py) take the runs finished since their
            # watermark; its reads take the unfinished runs of a window raw, and its backlog
            # the pending ones, from the second index alone (partial both: the first would
            # otherwise also serve `finished_at IS NULL`, through the heap; 0010).
            models.Index(
                fields=["finished_at"],
                condition=models.Q(finished_at__isnull=False),
                name="execution_finished_set",
            ),
            models.Index(
                fields=["workspace", "created_at"],
                include=["id", "workflow", "status", "started_at", "wake_at"],
                condition=models.Q(finished_at__isnull=True),
                name="execution_ws_pending",
            ),
        ]

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def duration_ms(self) -> int | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return int((self.finished_at - self.started_at).total_seconds() * 1000)


class ExecutionStep(models.Model):
    """One node run. `item_key` tells loop iterations apart; a step is unique per key."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        WAITING = "waiting", "Waiting"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    id = models.BigAutoField(primary_key=True)
    execution = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="steps")
    node_id = models.CharField(max_length=100)
    item_key = models.CharField(max_length=200, blank=True, default="")
    block_type = models.CharField(max_length=100)
    block_version = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=10, choices=Status.choices)
    input = models.JSONField(null=True, blank=True)
    output = models.JSONField(null=True, blank=True)
    error = models.JSONField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=1)
    # Engine bookkeeping needed to resume (active handles, park info, variables, counters).
    meta = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["execution", "node_id", "item_key"], name="execution_step_unique_node"
            )
        ]
        indexes = [
            # The Monitoring page's block durations read the steps of a time range (started_at
            # never changes once set, so step updates stay HOT).
            models.Index(fields=["started_at"], name="execution_step_started"),
            # The steps of runs in flight not rolled up yet: finished since the rollup's
            # watermark, or not finished (NULLs are in the index). A finish also changes the
            # status, which the failed steps' partial index reads: no HOT update is lost.
            models.Index(fields=["finished_at"], name="execution_step_finished"),
            # The Monitoring page's failing nodes: failed steps only (a few percent of rows).
            models.Index(
                fields=["execution"],
                include=["node_id", "block_type", "finished_at"],
                condition=models.Q(status="failed"),
                name="execution_step_failed",
            ),
        ]


class ExecutionLog(models.Model):
    class Level(models.TextChoices):
        DEBUG = "debug", "Debug"
        INFO = "info", "Info"
        WARNING = "warning", "Warning"
        ERROR = "error", "Error"

    id = models.BigAutoField(primary_key=True)
    execution = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="logs")
    node_id = models.CharField(max_length=100, blank=True)
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.INFO)
    event = models.CharField(max_length=100)
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["execution", "id"], name="execution_log_order")]


# The Monitoring page's hourly rollups live in their own module (this one is long enough).
from apps.workflows.rollup_models import (  # noqa: E402, F401
    NodeFailureRollup,
    NodeFailureRollupDay,
    RolledStep,
    RollupWatermark,
    RunRollup,
    RunRollupDay,
    StepRollup,
    StepRollupDay,
)
