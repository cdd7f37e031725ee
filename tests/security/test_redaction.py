"""Issue 11, defect 9: redaction leaves short text alone and says "[redacted]"."""

from __future__ import annotations

import base64

import pytest

from apps.core.redaction import MIN_REDACTED_LEN, redact

MESSAGE = "outbound request to 127.0.0.1 refused: loopback addresses are not allowed"


@pytest.mark.parametrize("secret", ["s", "es", "ss", "re", "oop", "addr", "refus"])
def test_a_short_secret_does_not_garble_messages(secret):
    # The probe: client_secret="s" gave "outbound reque***t ... loopback addre******".
    assert len(secret) < MIN_REDACTED_LEN
    assert redact(MESSAGE, [secret]) == MESSAGE


def test_secrets_from_the_minimum_up_are_redacted_with_a_word_not_stars():
    secret = "refused"
    assert redact(MESSAGE, [secret]) == MESSAGE.replace(secret, "[redacted]")
    assert "*" not in redact(f"key={secret}", [secret])


def test_encoded_forms_shorter_than_the_minimum_are_not_searched():
    # base64 fragments of a 6-letter secret may be short; only those >= the minimum count.
    secret = "abcdef"
    out = redact("x " + base64.b64encode(b"u:" + secret.encode()).decode(), [secret])
    assert "[redacted]" in out
    assert redact("YWJj is not the secret", [secret]) == "YWJj is not the secret"
