"""Send email over SMTP with a stored credential.

The credential's values (``ctx.secrets.values_for(credential_id)``) are ``host``, ``port``
(default 587 with STARTTLS, 465 with implicit TLS, else 25), ``username``/``password``
(optional: no login without them), ``starttls`` / ``ssl`` (booleans) and optionally
``from``. ``security`` in the config overrides the credential's choice (``auto`` follows
it). With STARTTLS or TLS the server certificate is verified against the host name, with
the same trust store as the outbound HTTP client (``ctx.http.verify``: a CA bundle path,
or the system store).

The SMTP server is reached under the platform's SSRF policy (``ctx.http.policy``): its name
is resolved once, every address is checked (private, loopback and metadata addresses are
refused unless allow-listed) and the connection goes to the checked address, so a
credential cannot aim the worker at an internal service.

The message gets a ``Message-ID`` derived from the step's idempotency key, so a redelivered
step sends a message that receiving systems can recognise as the same one. Bcc recipients
are only on the envelope. SMTP 4xx answers and connection trouble are retryable; 5xx
answers (bad recipient, refused login) are not. Output: ``message_id``, ``accepted`` (the
envelope recipients the server took) and ``refused`` (recipient -> SMTP answer).
"""

from __future__ import annotations

import hashlib
import smtplib
import socket
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

from apps.blocks.catalog import _outbound
from apps.blocks.sdk import (
    BlockContext,
    BlockError,
    BlockResult,
    BlockSpec,
    Category,
    Policies,
    RetryPolicy,
    register,
)
from apps.connectors.outbound.errors import OutboundError

KEY = "send_email"
ADDRESS = {"type": "string", "minLength": 3, "maxLength": 320}
ADDRESSES = {"anyOf": [{"type": "array", "items": ADDRESS, "maxItems": 100}, ADDRESS]}

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["credential_id", "to", "subject"],
    "properties": {
        "credential_id": {"type": "string", "minLength": 1},
        "from": {"type": ["string", "null"], "maxLength": 320, "default": None},
        "to": ADDRESSES,
        "cc": {**ADDRESSES, "default": []},
        "bcc": {**ADDRESSES, "default": []},
        "reply_to": {"type": ["string", "null"], "maxLength": 320, "default": None},
        "subject": {"type": "string", "maxLength": 998},
        "text": {"type": ["string", "null"], "default": None},
        "html": {"type": ["string", "null"], "default": None},
        "security": {"enum": ["auto", "none", "starttls", "tls"], "default": "auto"},
        "timeout_s": {"type": "number", "exclusiveMinimum": 0, "maximum": 120, "default": 30},
    },
}

SPEC = BlockSpec(
    key=KEY,
    version=1,
    title="Send email",
    category=Category.DATA,
    icon="mail",
    description="Send an email (text and/or HTML) through an SMTP server credential.",
    config_schema=CONFIG_SCHEMA,
    outputs={"message_id": "string", "accepted": "array", "refused": "object"},
    policies=Policies(timeout_s=150, retry=RetryPolicy(max_attempts=3, base_s=2.0, max_s=60.0)),
)


def _addresses(value: Any, field: str) -> list[str]:
    items = [value] if isinstance(value, str) else list(value or [])
    out = []
    for item in items:
        text = str(item).strip()
        if any(c in text for c in "\r\n") or "@" not in text:
            raise BlockError(
                f"{KEY}: {field} has an invalid address {text[:60]!r}", code="invalid_config"
            )
        out.append(text)
    return out


class _PinnedSMTP(smtplib.SMTP):
    """SMTP to an address checked by the SSRF policy; the name stays for EHLO/TLS checks."""

    def __init__(self, address: str, **kwargs: Any) -> None:
        self._address = address
        super().__init__(**kwargs)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        return socket.create_connection((self._address, port), timeout)


class _PinnedSMTPSSL(smtplib.SMTP_SSL):
    def __init__(self, address: str, **kwargs: Any) -> None:
        self._address = address
        super().__init__(**kwargs)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        raw = socket.create_connection((self._address, port), timeout)
        return self.context.wrap_socket(raw, server_hostname=self._host)


def _security(config: Mapping[str, Any], values: Mapping[str, Any]) -> str:
    chosen = config.get("security", "auto")
    if chosen != "auto":
        return str(chosen)
    if values.get("ssl") or values.get("tls") is True:
        return "tls"
    starttls = values.get("starttls")
    return (
        "starttls" if starttls is True or str(starttls).lower() in ("1", "true", "yes") else "none"
    )


def _tls_context(ctx: BlockContext) -> ssl.SSLContext:
    verify = getattr(ctx.http, "verify", True)
    if isinstance(verify, str):
        return ssl.create_default_context(cafile=verify)
    context = ssl.create_default_context()
    if verify is False:  # the platform's client runs without verification (tests only)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def build_message(ctx: BlockContext, config: Mapping[str, Any], sender: str) -> EmailMessage:
    text, html = config.get("text"), config.get("html")
    if not text and not html:
        raise BlockError(f"{KEY}: give a text or an html body", code="invalid_config")
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(_addresses(config["to"], "to"))
    cc = _addresses(config.get("cc"), "cc")
    if cc:
        message["Cc"] = ", ".join(cc)
    if config.get("reply_to"):
        message["Reply-To"] = _addresses(config["reply_to"], "reply_to")[0]
    message["Subject"] = str(config["subject"])
    message["Date"] = formatdate(localtime=False)
    digest = hashlib.sha256(ctx.idempotency_key.encode()).hexdigest()[:32]
    message["Message-ID"] = f"<{digest}@flowplane.invalid>"
    message.set_content(text or "")
    if html:
        if text:
            message.add_alternative(html, subtype="html")
        else:
            message.set_content(html, subtype="html")
    return message


def _smtp_error(exc: smtplib.SMTPException, host: str) -> BlockError:
    code = getattr(exc, "smtp_code", None)
    answer = getattr(exc, "smtp_error", b"")
    detail = answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return BlockError(f"{KEY}: {host!r} refused the login ({code})", code="smtp_auth")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = exc.recipients
        retryable = all(400 <= c < 500 for c, _ in refused.values())
        return BlockError(
            f"{KEY}: {host!r} refused every recipient: {', '.join(sorted(refused))}",
            code="smtp_recipients_refused",
            retryable=retryable,
        )
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return BlockError(
            f"{KEY}: {host!r} closed the connection", code="smtp_error", retryable=True
        )
    retryable = code is None or 400 <= int(code) < 500
    return BlockError(
        f"{KEY}: {host!r} answered {code}: {detail[:200]}".rstrip(": "),
        code="smtp_error",
        retryable=retryable,
    )


@register(SPEC)
def execute(ctx: BlockContext, config: Mapping[str, Any], inputs: Mapping[str, Any]) -> BlockResult:
    """Build the message, connect to the checked SMTP address, log in, send."""
    client = _outbound.http_client(ctx, KEY)  # for its SSRF policy and trust store
    values = _outbound.values_for(ctx, KEY, str(config["credential_id"]))
    host = str(values.get("host") or "").strip()
    if not host:
        raise BlockError(f"{KEY}: the SMTP credential has no host", code="credential_error")
    security = _security(config, values)
    port = int(values.get("port") or {"tls": 465, "starttls": 587}.get(security, 25))
    sender = str(config.get("from") or values.get("from") or values.get("username") or "")
    if "@" not in sender:
        raise BlockError(
            f"{KEY}: set 'from' (or a from address on the credential)", code="invalid_config"
        )
    message = build_message(ctx, config, sender)
    recipients = [
        *_addresses(config["to"], "to"),
        *_addresses(config.get("cc"), "cc"),
        *_addresses(config.get("bcc"), "bcc"),
    ]
    try:
        addresses = client.policy.resolve(host, port)
    except OutboundError as exc:
        blocked = type(exc).__name__ == "BlockedDestination"
        raise BlockError(
            f"{KEY}: SMTP server {host!r}: {exc}",
            code="blocked_destination" if blocked else "connection_error",
            retryable=exc.retryable,
        ) from None
    timeout = _outbound.timeout_for(ctx, float(config.get("timeout_s", 30)))
    tls = _tls_context(ctx) if security in ("tls", "starttls") else None
    try:
        smtp: smtplib.SMTP
        if security == "tls":
            smtp = _PinnedSMTPSSL(
                str(addresses[0]), host=host, port=port, timeout=timeout, context=tls
            )
        else:
            smtp = _PinnedSMTP(str(addresses[0]), host=host, port=port, timeout=timeout)
        with smtp:
            if security == "starttls":
                smtp.starttls(context=tls)
            if values.get("username") and values.get("password"):
                smtp.login(str(values["username"]), str(values["password"]))
            refused = smtp.send_message(message, from_addr=sender, to_addrs=recipients)
    except smtplib.SMTPNotSupportedError:
        raise BlockError(
            f"{KEY}: {host!r} does not offer STARTTLS; choose another security setting",
            code="smtp_error",
        ) from None
    except smtplib.SMTPException as exc:
        raise _smtp_error(exc, host) from None
    except ssl.SSLError as exc:
        raise BlockError(
            f"{KEY}: TLS with {host!r} failed: {exc.reason or exc}", code="tls_error"
        ) from None
    except (TimeoutError, OSError) as exc:
        raise BlockError(
            f"{KEY}: cannot reach SMTP server {host!r}: {exc.strerror or type(exc).__name__}",
            code="connection_error",
            retryable=True,
        ) from None
    refused_out = {
        addr: f"{code} {answer.decode('utf-8', 'replace')}"
        for addr, (code, answer) in refused.items()
    }
    return BlockResult(
        outputs={
            "message_id": message["Message-ID"],
            "accepted": [r for r in recipients if r not in refused],
            "refused": refused_out,
        }
    )
