"""The embedded default for `make run`: no variable needed, secrets generated under var/."""

import secrets

from config.env import env, var_path
from config.settings.base import *  # noqa: F403

DEBUG = env.bool("DJANGO_DEBUG", default=True)


def _generated_secret(name: str) -> str:
    path = var_path(name)
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="") or _generated_secret("secret_key")


def _generated_key_ring() -> str:
    from apps.credentials.crypto import KeyRing

    path = var_path("credential_keys")
    if not path.exists():
        path.write_text(KeyRing.generate_spec("local1"))
        path.chmod(0o600)
    return path.read_text().strip()


CREDENTIAL_KEYS = env.str("CREDENTIAL_KEYS", default="") or _generated_key_ring()

# The console of `make run` reads better as plain lines; LOG_FORMAT=json gives JSON again.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
LOGGING = logging_config(LOG_FORMAT, LOG_LEVEL)  # noqa: F405
