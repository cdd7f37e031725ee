"""The process-wide key ring, read once from settings."""

from functools import cache

from django.conf import settings

from apps.credentials.crypto import KeyRing


@cache
def keyring() -> KeyRing:
    return KeyRing.parse(settings.CREDENTIAL_KEYS)
