"""The verifier against providers' published example vectors (no Django needed)."""

from apps.triggers.presets import preset_get
from apps.triggers.signatures import SignatureInvalid, verify

SLACK_BODY = (
    b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id="
    b"G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-"
    b"collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F3977008"
    b"85554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c4"
    b"47fce8b6703c"
)


def test_slack_docs_example():
    headers = {
        "X-Slack-Request-Timestamp": "1531420618",
        "X-Slack-Signature": "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
    }
    verify(
        preset_get("slack"),
        secret="8f742231b10e8888abcd99yyyzzz85a5",
        headers=headers,
        body=SLACK_BODY,
        now=1531420618 + 10,
    )
    try:
        verify(
            preset_get("slack"),
            secret="8f742231b10e8888abcd99yyyzzz85a5",
            headers=headers,
            body=SLACK_BODY,
            now=1531420618 + 301,
        )
    except SignatureInvalid as exc:
        assert "tolerance" in str(exc)
    else:
        raise AssertionError("a request older than five minutes was accepted")


def test_github_docs_example():
    headers = {
        "X-Hub-Signature-256": "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"  # noqa: E501
    }
    verify(
        preset_get("github"),
        secret="It's a Secret to Everybody",
        headers=headers,
        body=b"Hello, World!",
    )
    try:
        verify(
            preset_get("github"),
            secret="It's a Secret to Everybody!",
            headers=headers,
            body=b"Hello, World!",
        )
    except SignatureInvalid as exc:
        assert str(exc) == "signature mismatch"
    else:
        raise AssertionError("a wrong secret verified")
