"""Test settings: the real database and Redis when their URLs are set, embedded otherwise."""

from config.env import env, var_path
from config.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production"  # noqa: S105
# A fixed ring so worker processes started by tests open what the tests sealed.
CREDENTIAL_KEYS = env.str("CREDENTIAL_KEYS", default="") or (
    "test1:dGVzdC1vbmx5LWtleS1tYXRlcmlhbC0zMi1ieXRlcyE")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if not env.str("REDIS_URL", default=""):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STATICFILES_DIRS = []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Tests that start a real worker process share the test database with it, so on the
# embedded default the test database is a file, and the broker folder is the tests' own.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": env.str(  # noqa: F405
        "FLOWPLANE_TEST_DB", default=str(var_path("test.sqlite3")))}
if CELERY_BROKER_URL.startswith("filesystem://"):  # noqa: F405
    _test_queue = str(var_path("test-broker", "queue", ".keep").parent)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": _test_queue, "data_folder_out": _test_queue,
        "processed_folder": str(var_path("test-broker", "processed", ".keep").parent),
        "store_processed": False,
    }
