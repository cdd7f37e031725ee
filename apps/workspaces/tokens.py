"""API token format and hashing. Tokens are high-entropy, so a plain SHA-256 digest is enough."""

import hashlib
import hmac
import secrets

TOKEN_PREFIX = "fp_"  # noqa: S105 (a public prefix, not a secret)


def token_generate() -> tuple[str, str, str]:
    """Return (token, lookup prefix, digest). The token itself is never stored."""
    prefix = secrets.token_hex(5)
    token = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    return token, prefix, token_digest(token)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_parse_prefix(token: str) -> str | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    prefix, _, rest = token[len(TOKEN_PREFIX) :].partition("_")
    return prefix if prefix and rest else None


def token_matches(token: str, digest: str) -> bool:
    return hmac.compare_digest(token_digest(token), digest)
