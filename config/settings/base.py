"""Settings true in every environment; local/test/production only override."""

import os

from corsheaders.defaults import default_headers

from config.env import BASE_DIR, env, metrics_dir, var_path

DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "apps.workspaces",
    "apps.workflows",
    "apps.blocks",
    "apps.triggers",
    "apps.credentials",
    "apps.connectors",
    "apps.routing",
    "apps.observability",
]

MIDDLEWARE = [
    "apps.observability.middleware.RequestIdMiddleware",
    "apps.observability.middleware.TracingMiddleware",
    "apps.observability.middleware.RequestMetricsMiddleware",
    "apps.workspaces.request_meta.RequestMetaMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "config.middleware.BodySizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# The embedded default is a SQLite file under var/; DATABASE_URL switches to PostgreSQL.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{var_path('flowplane.sqlite3')}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: WAL lets readers run beside the one writer, and
    # IMMEDIATE transactions queue writers instead of failing them with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

REDIS_URL = env.str("REDIS_URL", default="")
# Redis unreachable: the cache answers as an empty one within a second (config/cache.py).
REDIS_CACHE_OPTIONS = {"socket_connect_timeout": 1.0, "socket_timeout": 2.0}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": REDIS_CACHE_OPTIONS,
        }
    }
else:
    # Shared by web, worker and beat processes on one machine, unlike locmem. Deliberately not
    # the embedded broker's redis-server: management commands (`make run`'s migrate and
    # load_catalog, a user's `manage.py shell`) run while it is down, and catalogue saves
    # touch the cache, so they would fail with a connection error instead of just working.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(var_path("cache", ".keep").parent),
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/app/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = var_path("staticfiles", ".keep").parent
_FRONTEND_DIST = BASE_DIR / "frontend" / "dist"
# `make run` builds the frontend before the server starts, so the folder exists by then.
STATICFILES_DIRS = [("app", _FRONTEND_DIST)] if _FRONTEND_DIST.exists() else []
SPA_INDEX = _FRONTEND_DIST / "index.html"

SESSION_COOKIE_HTTPONLY = True
# Error reports show frame variables to signed-in staff only (config/error_reports.py).
DEFAULT_EXCEPTION_REPORTER_FILTER = "config.error_reports.StaffOnlyLocalsFilter"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Bodies above this are refused with 413 before they are parsed.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("MAX_REQUEST_BYTES", default=2 * 1024 * 1024)
# JSON bodies (API, webhooks) nested deeper than this are refused (workspaces.json_boundary).
JSON_MAX_DEPTH = env.int("JSON_MAX_DEPTH", default=64)
# A webhook's test URL (it runs the draft) works this long after an editor asked for it.
TRIGGER_TEST_URL_TTL_SECONDS = env.int("TRIGGER_TEST_URL_TTL_SECONDS", default=3600)
# Timestamp-free signature presets: the same signed body is a duplicate this long.
TRIGGER_REPLAY_WINDOW_SECONDS = env.int("TRIGGER_REPLAY_WINDOW_SECONDS", default=72 * 3600)

# Metrics: every process (gunicorn workers, Celery pool children) writes its samples under
# this folder and /metrics adds them up. prometheus_client reads the variable when it is
# first imported, so it is set here, before anything imports it.
PROMETHEUS_MULTIPROC_DIR = metrics_dir()
os.environ["PROMETHEUS_MULTIPROC_DIR"] = PROMETHEUS_MULTIPROC_DIR
# When set, /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# A Celery worker serves its own processes' metrics on this port when set (containers and
# pods do not share the metrics folder with the web).
WORKER_METRICS_PORT = env.int("WORKER_METRICS_PORT", default=0)
# Errors to Sentry when SENTRY_DSN is set, scrubbed of secrets (apps/observability/sentry.py).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from apps.observability.sentry import sentry_init

    sentry_init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        release=env.str("SENTRY_RELEASE", default=""),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        include_locals=env.bool("SENTRY_INCLUDE_LOCALS", default=False),
    )

from config.settings.celery import *  # noqa: E402,F403
from config.settings.drf import *  # noqa: E402,F403
from config.settings.logging import *  # noqa: E402,F403

# Proxies whose X-Forwarded-For is believed (addresses or CIDRs of our own load balancers);
# without them the peer address is the client (apps/workspaces/client_ip.py).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
# Browser origins allowed to call the API cross-origin (bearer tokens; no cookies).
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_HEADERS = (*default_headers, "x-request-id")
CORS_EXPOSE_HEADERS = ["X-Request-ID", "Retry-After"]

# Credential key ring "kid:<base64url 32 bytes>,..."; the first key encrypts. local.py
# generates one under var/ for the embedded default; production requires it.
CREDENTIAL_KEYS = env.str("CREDENTIAL_KEYS", default="")
# Self-hosted targets the outbound client may reach despite the SSRF guard (CIDRs, host[:port]).
OUTBOUND_ALLOWLIST = env.list("OUTBOUND_ALLOWLIST", default=[])
# Every remote MCP server the MCP client calls (per host and port) gets a catalogue connector's
# policies, in the catalogue's shape: a breaker (failures in a row: no connection, timeout, 5xx)
# and an optional rate limit (calls per minute).
MCP_CLIENT_BREAKER = {
    "failure_threshold": env.int("MCP_CLIENT_BREAKER_FAILURES", default=5),
    "reset_timeout": env.float("MCP_CLIENT_BREAKER_RESET_S", default=30.0),
}
_mcp_rate = env.int("MCP_CLIENT_RATE_PER_MINUTE", default=0)
MCP_CLIENT_RATE_LIMIT = {"limit": _mcp_rate, "period": 60.0} if _mcp_rate > 0 else {}
# Credentials: "warning" status window, OAuth refresh timing (refresh within MARGIN of expiry on
# use, AHEAD of it from beat every INTERVAL), consent state TTL, and the OAuth redirect URI
# registered with providers (empty: built from the request, <origin>/oauth/callback).
CREDENTIAL_WARNING_DAYS = env.int("CREDENTIAL_WARNING_DAYS", default=7)
CREDENTIAL_REFRESH_MARGIN_SECONDS = env.int("CREDENTIAL_REFRESH_MARGIN_SECONDS", default=120)
CREDENTIAL_REFRESH_AHEAD_SECONDS = env.int("CREDENTIAL_REFRESH_AHEAD_SECONDS", default=600)
CREDENTIAL_REFRESH_INTERVAL_SECONDS = env.int("CREDENTIAL_REFRESH_INTERVAL_SECONDS", default=300)
# WAIT: how long a worker waits for another one refreshing the same credential (row lock).
CREDENTIAL_REFRESH_WAIT_SECONDS, CREDENTIAL_REFRESH_BACKOFF_SECONDS = 30, 60
CREDENTIAL_USE_AUDIT_SECONDS = 60
CREDENTIAL_OAUTH_STATE_TTL_SECONDS = env.int("CREDENTIAL_OAUTH_STATE_TTL_SECONDS", default=600)
CREDENTIAL_OAUTH_REDIRECT_URL = env.str("CREDENTIAL_OAUTH_REDIRECT_URL", default="")
