"""Redaction: no Django, no database."""

import base64
import urllib.parse

import pytest

from apps.core.redaction import redact


def test_redact_raw_and_encodings() -> None:
    secret = "p@ss w0rd/+="
    text = " | ".join(
        [
            f"raw={secret}",
            f"url={urllib.parse.quote(secret, safe='')}",
            f"url_lower={urllib.parse.quote(secret, safe='').lower()}",
            f"plus={urllib.parse.quote_plus(secret)}",
            f"b64={base64.b64encode(secret.encode()).decode()}",
            f"b64url={base64.urlsafe_b64encode(secret.encode()).decode().rstrip('=')}",
            f"hex={secret.encode().hex()}",
        ]
    )
    out = redact(text, [secret])
    for marker in ("raw", "url", "url_lower", "plus", "b64", "b64url", "hex"):
        assert f"{marker}=[redacted]" in out
    assert "w0rd" not in out


@pytest.mark.parametrize("user", ["a", "ab", "abc", "user", "longer-user-name"])
def test_redact_finds_a_password_inside_a_basic_auth_header(user: str) -> None:
    password = "correct horse battery staple"
    header = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    out = redact(f"Authorization: {header}", [password])
    assert "[redacted]" in out
    # whatever is left cannot be decoded back to the password
    assert base64.b64encode(password.encode()).decode()[4:-4] not in out


def test_redact_ignores_empty_and_accepts_bytes() -> None:
    assert redact("nothing here", [None, "", b""]) == "nothing here"
    assert redact("token=abcd1234", [b"abcd1234"]) == "token=[redacted]"
    assert redact("", ["x"]) == ""


def test_redact_overlapping_secrets_longest_first() -> None:
    assert redact("key=abcdefghij", ["abcdefgh", "abcdefghij"]) == "key=[redacted]"
