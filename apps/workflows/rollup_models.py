"""Pre-aggregates of finished runs and steps for the Monitoring page (apps/workflows/
monitoring/rollup.py fills them, hybrid.py reads them), per hour and per day. Keyed by the
hour (day) the run was *created* in (the page's windows select runs by creation); a run is
added once, after it finished, to its hour, and so is a step (once it finished, even while
its run goes on); a day row is the sum of its hours' rows (rollup_days.py), so a month is
read from ~30 rows per key instead of ~720."""

from django.db import models

from apps.workflows.histogram import COLUMNS
from apps.workspaces.models import Workspace


class _Runs(models.Model):
    """Finished runs of a workflow created in one period with one outcome; the histogram
    counts the durations of the succeeded and failed ones that started."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    workflow = models.ForeignKey("workflows.Workflow", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10)
    runs = models.IntegerField()

    class Meta:
        abstract = True


class _Steps(models.Model):
    """Timed (succeeded or failed) finished steps of one block type in the runs created in
    one period, and their duration histogram."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    block_type = models.CharField(max_length=100)
    steps = models.IntegerField()
    failed = models.IntegerField()

    class Meta:
        abstract = True


class _NodeFailures(models.Model):
    """Failed finished steps of one node in the runs created in one period; the newest one's
    id is where its last error message is read (only for the nodes shown)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    workflow = models.ForeignKey("workflows.Workflow", on_delete=models.CASCADE, related_name="+")
    node_id = models.CharField(max_length=100)
    failures = models.IntegerField()
    last_step_id = models.BigIntegerField()

    class Meta:
        abstract = True


class RunRollup(_Runs):
    hour = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "hour", "workflow", "status"], name="run_rollup_key"
            )
        ]


class StepRollup(_Steps):
    hour = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "hour", "block_type"], name="step_rollup_key"
            )
        ]


class NodeFailureRollup(_NodeFailures):
    hour = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "hour", "workflow", "node_id"], name="node_rollup_key"
            )
        ]


class RunRollupDay(_Runs):
    day = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "day", "workflow", "status"], name="run_rollup_day_key"
            )
        ]


class StepRollupDay(_Steps):
    day = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "day", "block_type"], name="step_rollup_day_key"
            )
        ]


class NodeFailureRollupDay(_NodeFailures):
    day = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "day", "workflow", "node_id"], name="node_rollup_day_key"
            )
        ]


class RolledStep(models.Model):
    """A step already in the step rollups although its run is not: it finished before the
    watermark while its run went on (rollup.py rolls steps when they finish). The run's own
    rollup skips it and drops the row, so the table holds only steps of runs in flight. A
    plain id, not a foreign key: a relation would make Django load every step it deletes
    (retention's slices) to cascade; the tick drops the notes of deleted steps instead."""

    step_id = models.BigIntegerField(primary_key=True)


class RollupWatermark(models.Model):
    """One row: every run that finished before ``finished_before`` is in the rollups."""

    finished_before = models.DateTimeField()


# The histogram: one count column per bucket (portable to SQLite, summed by the database).
for _model in (RunRollup, StepRollup, RunRollupDay, StepRollupDay):
    for _column in COLUMNS:
        _model.add_to_class(_column, models.IntegerField(default=0))
