"""Verify a webhook signature as a preset describes it. Plain Python, no Django.

What is verified is the raw request body exactly as received. Every comparison is of HMAC
digests with ``hmac.compare_digest`` (constant time), never of the text a sender supplied.
Messages of ``SignatureInvalid`` are safe to log: they never contain secrets or signatures.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets as _secrets
import time
from collections.abc import Callable, Mapping
from typing import Any

ALGORITHMS: dict[str, Callable[[], Any]] = {
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
    "sha512": hashlib.sha512,
}
MAX_CANDIDATES = 10


class SignatureInvalid(Exception):
    """The request is not verified; the reason is fit for logs and the 401 body."""


def secret_key(preset: Mapping[str, Any], secret: str) -> bytes:
    """The HMAC key for a stored secret (``whsec_<base64>`` for Standard Webhooks)."""
    spec = (preset.get("signature") or {}).get("secret") or {}
    prefix = spec.get("prefix", "")
    if spec.get("encoding") == "base64":
        body = secret[len(prefix) :] if prefix and secret.startswith(prefix) else secret
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            return secret.encode()  # not base64: use the text, like most senders do
    return secret.encode()


def secret_generate(preset: Mapping[str, Any]) -> str:
    """A fresh signing secret in the shape the preset's senders expect."""
    spec = preset.get("generated_secret") or {}
    raw = _secrets.token_bytes(spec.get("bytes", 32))
    if spec.get("encoding") == "base64":
        return spec.get("prefix", "") + base64.b64encode(raw).decode()
    return spec.get("prefix", "") + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(value: str, encoding: str) -> bytes | None:
    try:
        if encoding == "hex":
            return bytes.fromhex(value)
        return base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error):
        return None


def _candidates(sig: Mapping[str, Any], header: str) -> tuple[list[str], str | None]:
    """Signature strings found in the header, and a timestamp carried in it (Stripe)."""
    layout = sig.get("format", "single")
    if layout == "kv":
        kv = sig["kv"]
        found: list[str] = []
        stamp = None
        for part in header.split(kv["separator"]):
            key, sep, value = part.strip().partition(kv["assign"])
            if not sep:
                continue
            if key == kv["signature_key"]:
                found.append(value)
            elif key == kv.get("timestamp_key"):
                stamp = value
        return found, stamp
    if layout == "list":
        spec = sig["list"]
        prefix = spec["version_prefix"]
        return (
            [
                p[len(prefix) :]
                for p in header.split(spec["separator"])
                if p and p.startswith(prefix)
            ],
            None,
        )
    value = header.strip()
    for prefix in sig.get("prefixes") or [""]:
        if value.startswith(prefix):
            return [value[len(prefix) :]], None
    return [], None


def _signed_payload(template: str, body: bytes, stamp: str | None, msg_id: str | None) -> bytes:
    out = bytearray()
    rest = template
    while rest:
        start = rest.find("{")
        if start < 0:
            out += rest.encode()
            break
        out += rest[:start].encode()
        end = rest.index("}", start)
        name = rest[start + 1 : end]
        if name == "body":
            out += body
        elif name == "timestamp":
            out += (stamp or "").encode()
        elif name == "id":
            out += (msg_id or "").encode()
        else:
            raise SignatureInvalid(f"unknown placeholder {{{name}}} in the preset")
        rest = rest[end + 1 :]
    return bytes(out)


def verify(
    preset: Mapping[str, Any],
    *,
    secret: str | None,
    headers: Mapping[str, str],
    body: bytes,
    now: float | None = None,
) -> None:
    """Raise SignatureInvalid unless ``body`` carries a valid signature under ``secret``.

    ``headers`` must be case-insensitive (Django's ``request.headers`` is).
    """
    sig = preset.get("signature")
    if not sig:
        return
    if not secret:
        raise SignatureInvalid("the trigger has no signing secret")
    header = headers.get(sig["header"])
    if not header:
        raise SignatureInvalid(f"missing {sig['header']} header")
    found, stamp = _candidates(sig, header)
    found = found[:MAX_CANDIDATES]
    if not found:
        raise SignatureInvalid(f"no signature in the {sig['header']} header")
    window = preset.get("timestamp")
    if window:
        if not window.get("from_signature"):
            stamp = headers.get(window.get("header", ""))
        if not stamp:
            raise SignatureInvalid("missing timestamp")
        try:
            sent = int(stamp)
        except ValueError:
            raise SignatureInvalid("malformed timestamp") from None
        if abs((now if now is not None else time.time()) - sent) > window["tolerance_s"]:
            raise SignatureInvalid("timestamp outside the tolerance window")
    msg_id = None
    if preset.get("message_id"):
        msg_id = headers.get(preset["message_id"]["header"])
        if not msg_id:
            raise SignatureInvalid(f"missing {preset['message_id']['header']} header")
    payload = _signed_payload(sig.get("signed_payload", "{body}"), body, stamp, msg_id)
    expected = hmac.new(secret_key(preset, secret), payload, ALGORITHMS[sig["algorithm"]]).digest()
    matched = False
    for candidate in found:
        decoded = _decode(candidate.strip(), sig["encoding"])
        # Compare every candidate (no early exit), each in constant time.
        if decoded is not None and hmac.compare_digest(expected, decoded):
            matched = True
    if not matched:
        raise SignatureInvalid("signature mismatch")
