"""Celery: the broker is transport, not truth (execution state lives in the database)."""

from config.env import env, var_path

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The embedded broker: messages are files under var/broker, shared by every local process.
    _queue_dir = str(var_path("broker", "queue", ".keep").parent)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": _queue_dir,
        "data_folder_out": _queue_dir,
        "processed_folder": str(var_path("broker", "processed", ".keep").parent),
        "control_folder": str(var_path("broker", "control", ".keep").parent),
        "store_processed": False,
    }
else:
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
# Workers log through Django's LOGGING (JSON lines with the execution and node ids), not
# Celery's own format, which drops every field but the message.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
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
EXECUTION_SWEEP_INTERVAL_SECONDS = env.float("EXECUTION_SWEEP_INTERVAL_SECONDS", default=2.0)
# Retention (apps/workflows/retention.py): how often beat runs it; executions per batch (one
# short transaction each), step rows per DELETE, and batches per run (the rest waits for
# the next run, so one run stays well inside its time limit).
EXECUTION_RETENTION_INTERVAL_SECONDS = env.int("EXECUTION_RETENTION_INTERVAL_SECONDS",
                                               default=900)
EXECUTION_RETENTION_BATCH = env.int("EXECUTION_RETENTION_BATCH", default=200)
EXECUTION_RETENTION_STEP_BATCH = env.int("EXECUTION_RETENTION_STEP_BATCH", default=5000)
EXECUTION_RETENTION_MAX_BATCHES = env.int("EXECUTION_RETENTION_MAX_BATCHES", default=500)
