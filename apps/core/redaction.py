"""Redaction: every secret, and its common encodings, replaced by ``[redacted]``.

Plain Python so any layer can scrub a message before it is logged, stored or returned: the
credential store, the outbound client and the run recorder all redact with it.
"""

from __future__ import annotations

import base64
import re
import urllib.parse
from collections.abc import Iterable
from functools import lru_cache


def _as_bytes(value: bytes | str) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


REDACTED = "[redacted]"
# Nothing shorter is searched for, raw or encoded: a one-letter client secret "s" turned
# "outbound request" into "outbound reque***t", garbling every message and, by the pattern
# of the stars, revealing the secret. Credentials this short are not protected by redaction.
MIN_REDACTED_LEN = 6


def _base64_cores(secret: bytes) -> set[str]:
    """Substrings that appear in any base64 text containing ``secret``, at each alignment.

    A secret embedded in a larger value (``Basic base64(user:password)``) is encoded at an
    offset of 0, 1 or 2 bytes modulo 3; for each offset the characters whose six bits come
    only from the secret are the same whatever surrounds it.
    """
    cores: set[str] = set()
    n = len(secret)
    for offset in range(3):
        data = b"\x00" * offset + secret
        start = -(-8 * offset // 6)  # ceil
        end = (8 * (offset + n)) // 6
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            core = encode(data).decode("ascii")[start:end]
            if len(core) >= MIN_REDACTED_LEN:
                cores.add(core)
    return cores


def _variants(secret: str | bytes) -> set[str]:
    raw = _as_bytes(secret)
    text = raw.decode("utf-8", errors="replace")
    if len(text) < MIN_REDACTED_LEN:
        return set()
    variants = {text}
    for quoted in (
        urllib.parse.quote(raw, safe=""),
        urllib.parse.quote_plus(raw, safe=""),
        urllib.parse.quote(raw),
    ):
        variants.add(quoted)
        variants.add(re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), quoted))
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        full = encode(raw).decode("ascii")
        variants.update({full, full.rstrip("=")})
    variants.update(_base64_cores(raw))
    variants.add(raw.hex())
    return {v for v in variants if len(v) >= MIN_REDACTED_LEN}


def redact(text: str, secrets: Iterable[str | bytes | None]) -> str:
    """Replace every occurrence of each secret (and its common encodings) with ``[redacted]``.

    Covers the raw value, percent-encoding (both cases, ``+`` for spaces), base64 and
    base64url (standalone or embedded, e.g. inside a Basic auth header) and hex. Secrets
    and encoded forms shorter than ``MIN_REDACTED_LEN`` characters are not searched.
    """
    if not text:
        return text
    pattern = _pattern(frozenset(_as_bytes(s) for s in secrets if s))
    return text if pattern is None else pattern.sub(REDACTED, text)


@lru_cache(maxsize=128)
def _pattern(secrets: frozenset[bytes]) -> re.Pattern[str] | None:
    """One compiled alternation per set of secrets (a run redacts many strings with one set)."""
    variants: set[str] = set()
    for secret in secrets:
        variants |= _variants(secret)
    if not variants:
        return None
    return re.compile("|".join(re.escape(v) for v in sorted(variants, key=len, reverse=True)))
