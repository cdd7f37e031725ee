"""Credential cipher: AES-256-GCM under a key ring (redaction lives in apps.core.redaction).

Plain Python (no Django import) so it can be tested and used anywhere; settings read the
key ring from the ``CREDENTIAL_KEYS`` environment variable and pass it in.

Why it is shaped this way:

- A *key ring* rather than one key, so keys can be rotated without downtime: the first key
  encrypts, every key decrypts, and ``rotate`` re-encrypts old blobs under the newest key.
- Each blob is self-describing (format version, key id, nonce, ciphertext+tag), so a row never
  needs a separate "which key" column and an unknown key id is a clear error, not garbage.
- The caller's associated data (``aad``, e.g. ``f"credential:{uuid}:{workspace_id}"``) binds a
  ciphertext to its row: copying a blob into another row (or another workspace) fails to open.
  The header (version + key id) is authenticated too, so it cannot be swapped either.
- Nonces are 96 random bits per seal. With random nonces NIST's bound is 2**32 encryptions per
  key, far above what a credential store does; rotation resets the count anyway.
- No error message ever contains key material or plaintext.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets as _secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = [
    "CREDENTIAL_KEYS_ENV",
    "FORMAT_VERSION",
    "InvalidCiphertext",
    "KeyRing",
    "KeyRingError",
]

CREDENTIAL_KEYS_ENV = "CREDENTIAL_KEYS"
FORMAT_VERSION = 1
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
_KID_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_B64URL_RE = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")


class KeyRingError(ValueError):
    """The key ring specification is unusable. Messages never include key material."""


class InvalidCiphertext(Exception):
    """A blob could not be opened: tampered, wrong row (AAD), unknown key, or malformed."""


@dataclass(frozen=True, repr=False)
class _Key:
    kid: str
    aead: AESGCM
    fingerprint: bytes  # a hash of the key, only used to spot the same key listed twice

    def __repr__(self) -> str:
        return f"<key {self.kid}>"


def _as_bytes(value: bytes | str) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


class KeyRing:
    """An ordered set of AES-256 keys; the first one encrypts, all of them decrypt."""

    def __init__(self, keys: Sequence[tuple[str, bytes]]) -> None:
        if not keys:
            raise KeyRingError("the key ring is empty: at least one key is required")
        seen: dict[str, _Key] = {}
        fingerprints: dict[bytes, str] = {}
        ordered: list[_Key] = []
        for kid, material in keys:
            if not isinstance(kid, str) or not _KID_RE.match(kid):
                raise KeyRingError(
                    "key ids must be 1-64 characters of letters, digits, '.', '_' or '-'"
                )
            if kid in seen:
                raise KeyRingError(f"key id {kid!r} appears more than once")
            if len(material) != KEY_BYTES:
                raise KeyRingError(
                    f"key {kid!r} must be {KEY_BYTES} bytes (AES-256), got {len(material)}"
                )
            fingerprint = _fingerprint(material)
            if fingerprint in fingerprints:
                raise KeyRingError(
                    f"key {kid!r} has the same material as key {fingerprints[fingerprint]!r}"
                )
            key = _Key(kid=kid, aead=AESGCM(bytes(material)), fingerprint=fingerprint)
            seen[kid] = key
            fingerprints[fingerprint] = kid
            ordered.append(key)
        self._keys = seen
        self._primary = ordered[0]
        self._order = tuple(k.kid for k in ordered)

    # -- construction -------------------------------------------------------------------

    @classmethod
    def parse(cls, spec: str) -> KeyRing:
        """Parse ``"kid1:<base64url 32 bytes>,kid2:<...>"``; the first key encrypts."""
        if not isinstance(spec, str) or not spec.strip():
            raise KeyRingError("the key ring specification is empty")
        keys: list[tuple[str, bytes]] = []
        for position, raw in enumerate(spec.split(","), start=1):
            entry = raw.strip()
            if not entry:
                raise KeyRingError(f"entry #{position} of the key ring is empty")
            kid, sep, encoded = entry.partition(":")
            kid, encoded = kid.strip(), encoded.strip()
            if not sep or not kid or not encoded:
                raise KeyRingError(f"entry #{position} of the key ring is not 'kid:base64url-key'")
            if not _KID_RE.match(kid):
                raise KeyRingError(
                    f"entry #{position}: key ids must be 1-64 characters of letters, digits, "
                    "'.', '_' or '-'"
                )
            keys.append((kid, _decode_key(kid, encoded)))
        return cls(keys)

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, name: str = CREDENTIAL_KEYS_ENV
    ) -> KeyRing:
        """Read the ring from ``environ[name]`` (``os.environ`` by default)."""
        env = os.environ if environ is None else environ
        spec = env.get(name, "")
        if not spec.strip():
            raise KeyRingError(f"environment variable {name} is not set")
        return cls.parse(spec)

    @staticmethod
    def generate_spec(kid: str = "k1") -> str:
        """A fresh one-key spec ``"kid:<base64url>"``, e.g. for the embedded default key file."""
        if not _KID_RE.match(kid):
            raise KeyRingError(
                "key ids must be 1-64 characters of letters, digits, '.', '_' or '-'"
            )
        material = _secrets.token_bytes(KEY_BYTES)
        return f"{kid}:{base64.urlsafe_b64encode(material).decode('ascii').rstrip('=')}"

    # -- introspection --------------------------------------------------------------------

    @property
    def primary_key_id(self) -> str:
        return self._primary.kid

    @property
    def key_ids(self) -> tuple[str, ...]:
        return self._order

    def __repr__(self) -> str:
        return f"KeyRing(key_ids={list(self._order)!r})"

    # -- sealing --------------------------------------------------------------------------

    def seal(self, plaintext: bytes, *, aad: bytes | str) -> bytes:
        """Encrypt under the newest key; the blob only opens with the same ``aad``."""
        key = self._primary
        header = _header(key.kid)
        nonce = os.urandom(NONCE_BYTES)
        ciphertext = key.aead.encrypt(nonce, bytes(plaintext), header + _as_bytes(aad))
        return header + nonce + ciphertext

    def open(self, blob: bytes, *, aad: bytes | str) -> bytes:
        """Decrypt a blob sealed by any key of the ring, or raise InvalidCiphertext."""
        kid, header, body = _split(blob)
        key = self._keys.get(kid)
        if key is None:
            raise InvalidCiphertext(f"ciphertext was sealed with unknown key id {kid!r}")
        nonce, ciphertext = body[:NONCE_BYTES], body[NONCE_BYTES:]
        try:
            return key.aead.decrypt(nonce, ciphertext, header + _as_bytes(aad))
        except InvalidTag:
            raise InvalidCiphertext(
                "ciphertext failed authentication (tampered, or bound to another row)"
            ) from None

    def key_id_of(self, blob: bytes) -> str:
        """The id of the key that sealed ``blob`` (no decryption, no authentication)."""
        return _split(blob)[0]

    def needs_rotation(self, blob: bytes) -> bool:
        """True when ``blob`` was not sealed by the newest key."""
        return self.key_id_of(blob) != self._primary.kid

    def rotate(self, blob: bytes, *, aad: bytes | str) -> bytes:
        """Re-encrypt under the newest key (a fresh nonce even if already current)."""
        return self.seal(self.open(blob, aad=aad), aad=aad)


def _fingerprint(material: bytes) -> bytes:
    digest = hashes.Hash(hashes.SHA256())
    digest.update(b"flowplane-keyring-fingerprint\x00" + bytes(material))
    return digest.finalize()


def _decode_key(kid: str, encoded: str) -> bytes:
    if not _B64URL_RE.match(encoded):
        raise KeyRingError(f"key {kid!r} is not valid base64url")
    padded = encoded.rstrip("=")
    padded += "=" * (-len(padded) % 4)
    try:
        material = base64.urlsafe_b64decode(padded)
    except (binascii.Error, ValueError):
        raise KeyRingError(f"key {kid!r} is not valid base64url") from None
    if len(material) != KEY_BYTES:
        raise KeyRingError(
            f"key {kid!r} must decode to {KEY_BYTES} bytes (AES-256), got {len(material)}"
        )
    return material


def _header(kid: str) -> bytes:
    encoded = kid.encode("ascii")
    return bytes([FORMAT_VERSION, len(encoded)]) + encoded


def _split(blob: bytes) -> tuple[str, bytes, bytes]:
    """Return (key id, header, nonce+ciphertext) or raise InvalidCiphertext."""
    if not isinstance(blob, bytes | bytearray | memoryview):
        raise InvalidCiphertext("ciphertext must be bytes")
    data = bytes(blob)
    if len(data) < 2:
        raise InvalidCiphertext("ciphertext is truncated")
    if data[0] != FORMAT_VERSION:
        raise InvalidCiphertext(f"unsupported ciphertext format version {data[0]}")
    kid_len = data[1]
    header_len = 2 + kid_len
    if kid_len == 0 or len(data) < header_len + NONCE_BYTES + TAG_BYTES:
        raise InvalidCiphertext("ciphertext is truncated")
    try:
        kid = data[2:header_len].decode("ascii")
    except UnicodeDecodeError:
        raise InvalidCiphertext("ciphertext has a malformed key id") from None
    if not _KID_RE.match(kid):
        raise InvalidCiphertext("ciphertext has a malformed key id")
    return kid, data[:header_len], data[header_len:]
