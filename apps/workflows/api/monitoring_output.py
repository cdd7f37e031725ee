"""Response shapes of the monitoring endpoints (published in the OpenAPI schema)."""

from rest_framework import serializers

DURATION_HELP = "Milliseconds (continuous percentile, 0.1 ms); null without a timed run."
RATE_HELP = "Succeeded / (succeeded + failed), 0..1; null when none ended that way."


class StatusCounts(serializers.Serializer):
    queued = serializers.IntegerField()
    running = serializers.IntegerField()
    waiting = serializers.IntegerField()
    succeeded = serializers.IntegerField()
    failed = serializers.IntegerField()
    cancelled = serializers.IntegerField()


class TimelineBucketOutput(StatusCounts):
    start = serializers.DateTimeField(help_text="The bucket's first instant (UTC).")


class TimelineTotalsOutput(StatusCounts):
    total = serializers.IntegerField()


class TimelineOutput(serializers.Serializer):
    bucket = serializers.ChoiceField(choices=["minute", "hour", "day"])
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    buckets = TimelineBucketOutput(many=True)
    totals = TimelineTotalsOutput()
    success_rate = serializers.FloatField(allow_null=True, help_text=RATE_HELP)


class WorkflowDurationOutput(serializers.Serializer):
    workflow = serializers.UUIDField()
    workflow_name = serializers.CharField()
    runs = serializers.IntegerField(help_text="Runs created in the window, in any status.")
    succeeded = serializers.IntegerField()
    failed = serializers.IntegerField()
    success_rate = serializers.FloatField(allow_null=True, help_text=RATE_HELP)
    p50_ms = serializers.FloatField(allow_null=True, help_text=DURATION_HELP)
    p95_ms = serializers.FloatField(allow_null=True, help_text=DURATION_HELP)


class BlockDurationOutput(serializers.Serializer):
    block_type = serializers.CharField()
    steps = serializers.IntegerField(help_text="Steps that succeeded or failed.")
    failed = serializers.IntegerField()
    p50_ms = serializers.FloatField(help_text=DURATION_HELP)
    p95_ms = serializers.FloatField(help_text=DURATION_HELP)


class FailingNodeOutput(serializers.Serializer):
    workflow = serializers.UUIDField()
    workflow_name = serializers.CharField()
    node_id = serializers.CharField()
    block_type = serializers.CharField()
    failures = serializers.IntegerField()
    last_failed_at = serializers.DateTimeField(allow_null=True)
    last_error = serializers.CharField(
        help_text="The last failure's message, secrets redacted, at most 300 characters."
    )


class BacklogWorkflowOutput(serializers.Serializer):
    workflow = serializers.UUIDField()
    workflow_name = serializers.CharField()
    queued = serializers.IntegerField()
    waiting = serializers.IntegerField()
    running = serializers.IntegerField()


class BacklogOutput(serializers.Serializer):
    queued = serializers.IntegerField(help_text="Runs no worker has claimed yet.")
    waiting = serializers.IntegerField(help_text="Parked runs (a delay, an approval, a child).")
    running = serializers.IntegerField()
    oldest_queued_at = serializers.DateTimeField(allow_null=True)
    next_wake_at = serializers.DateTimeField(allow_null=True)
    workflows = BacklogWorkflowOutput(many=True, help_text="Most queued + waiting first.")
