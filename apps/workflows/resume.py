"""Signed resume URLs for waiting steps (human in the loop)."""

from typing import Any

from django.core import signing

_SALT = "flowplane.execution.resume"
# Long enough for a human approval; the wait block's own timeout decides the real limit.
MAX_AGE_SECONDS = 60 * 60 * 24 * 30


def resume_token(execution_id: Any, key: str) -> str:
    return signing.dumps({"e": str(execution_id), "k": key}, salt=_SALT, compress=True)


def resume_token_read(token: str) -> tuple[str, str]:
    """(execution id, step key); raises signing.BadSignature (or its SignatureExpired)."""
    data = signing.loads(token, salt=_SALT, max_age=MAX_AGE_SECONDS)
    return data["e"], data["k"]
