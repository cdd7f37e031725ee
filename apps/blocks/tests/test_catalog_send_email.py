"""send_email against a real SMTP server (aiosmtpd) on 127.0.0.1, with and without STARTTLS."""

from __future__ import annotations

import datetime
import email
import socket
import ssl
from collections.abc import Iterator
from email import policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from apps.blocks.tests.test_catalog_http_request import Secrets, local_client, run_block


class Mailbox:
    """aiosmtpd handler keeping every message; ``bounce@`` recipients are refused."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("bounce@"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            {
                "from": envelope.mail_from,
                "to": list(envelope.rcpt_tos),
                "data": envelope.content,
                "login": getattr(session.auth_data, "login", None),
                "tls": server.transport.get_extra_info("sslcontext") is not None,
            }
        )
        return "250 Message accepted for delivery"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"mailer",
        b"hunter2",
    )
    return AuthResult(success=ok, handled=False, auth_data=auth_data)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def self_signed(tmp: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "smtp.pem", tmp / "smtp.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    controller = Controller(
        box,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=authenticator,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield box, controller.port
    finally:
        controller.stop()


def smtp_secrets(port: int, **extra: Any) -> Secrets:
    return Secrets(
        values={
            "smtp": {
                "host": "127.0.0.1",
                "port": port,
                "username": "mailer",
                "password": "hunter2",
                "starttls": False,
                **extra,
            }
        }
    )


def parsed(raw: bytes) -> Any:
    return email.message_from_bytes(raw, policy=policy.default)


def test_sends_text_and_html_with_bcc_on_the_envelope_only(mailbox):
    box, port = mailbox
    with local_client() as http:
        out = run_block(
            "send_email",
            http=http,
            secrets=smtp_secrets(port),
            payload={"name": "Ann"},
            credential_id="smtp",
            **{"from": "Flowplane <robot@example.com>"},
            to=["ann@example.com"],
            cc="boss@example.com",
            bcc=["audit@example.com"],
            reply_to="help@example.com",
            subject="Hi {{ trigger.name }}",
            text="Hello {{ trigger.name }}",
            html="<p>Hello <b>Ann</b></p>",
        )
    assert out.status == "succeeded", out.error
    output = out.steps["n"].output
    assert output["accepted"] == ["ann@example.com", "boss@example.com", "audit@example.com"]
    assert output["refused"] == {}
    [received] = box.messages
    assert received["from"] == "robot@example.com" and received["login"] == b"mailer"
    assert received["tls"] is False
    assert received["to"] == ["ann@example.com", "boss@example.com", "audit@example.com"]
    message = parsed(received["data"])
    assert message["Subject"] == "Hi Ann" and message["To"] == "ann@example.com"
    assert message["Cc"] == "boss@example.com" and message["Reply-To"] == "help@example.com"
    assert message["Bcc"] is None and b"audit@" not in received["data"]
    assert message["Message-ID"] == output["message_id"]
    assert message.get_body(("plain",)).get_content().strip() == "Hello Ann"
    assert "<b>Ann</b>" in message.get_body(("html",)).get_content()


def test_message_id_is_stable_for_the_step(mailbox):
    _box, port = mailbox
    with local_client() as http:
        first = run_block(
            "send_email",
            http=http,
            secrets=smtp_secrets(port),
            credential_id="smtp",
            to="a@example.com",
            subject="s",
            text="t",
            **{"from": "r@example.com"},
        )
        again = run_block(
            "send_email",
            http=http,
            secrets=smtp_secrets(port),
            credential_id="smtp",
            to="a@example.com",
            subject="s",
            text="t",
            **{"from": "r@example.com"},
        )
    assert first.steps["n"].output["message_id"] == again.steps["n"].output["message_id"]


def test_refused_recipients_are_reported_or_fail_when_all_refused(mailbox):
    _box, port = mailbox
    with local_client() as http:
        some = run_block(
            "send_email",
            http=http,
            secrets=smtp_secrets(port),
            credential_id="smtp",
            to=["ok@example.com", "bounce@example.com"],
            subject="s",
            text="t",
            **{"from": "r@example.com"},
        )
        none = run_block(
            "send_email",
            http=http,
            secrets=smtp_secrets(port),
            credential_id="smtp",
            to="bounce@example.com",
            subject="s",
            text="t",
            **{"from": "r@example.com"},
        )
    assert some.steps["n"].output["accepted"] == ["ok@example.com"]
    assert some.steps["n"].output["refused"]["bounce@example.com"].startswith("550")
    assert none.error.code == "smtp_recipients_refused" and none.error.retryable is False


def test_wrong_password_is_not_retried(mailbox):
    box, port = mailbox
    with local_client() as http:
        out = run_block(
            "send_email",
            http=http,
            secrets=smtp_secrets(port, password="nope"),
            credential_id="smtp",
            to="a@example.com",
            subject="s",
            text="t",
            **{"from": "r@example.com"},
        )
    assert out.error.code == "smtp_auth" and out.error.retryable is False
    assert "nope" not in out.error.message and box.messages == []


def test_starttls_with_certificate_check(tmp_path):
    cert, key = self_signed(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    box = Mailbox()
    controller = Controller(
        box,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=server_tls,
        require_starttls=True,
        authenticator=authenticator,
        auth_require_tls=True,
    )
    controller.start()
    try:
        secrets = Secrets(
            values={
                "smtp": {
                    "host": "localhost",
                    "port": controller.port,
                    "username": "mailer",
                    "password": "hunter2",
                    "starttls": True,
                    "from": "r@example.com",
                }
            }
        )
        with local_client(verify=str(cert)) as http:
            http.policy.allowlist = type(http.policy.allowlist).parse(["localhost"])
            out = run_block(
                "send_email",
                http=http,
                secrets=secrets,
                credential_id="smtp",
                to="a@example.com",
                subject="secure",
                text="over TLS",
            )
        assert out.status == "succeeded", out.error
        assert box.messages[0]["tls"] is True and box.messages[0]["login"] == b"mailer"
        with local_client() as http:  # the system trust store does not know this certificate
            http.policy.allowlist = type(http.policy.allowlist).parse(["localhost"])
            refused = run_block(
                "send_email",
                http=http,
                secrets=secrets,
                credential_id="smtp",
                to="a@example.com",
                subject="secure",
                text="over TLS",
            )
        assert refused.error.code == "tls_error" and "localhost" in refused.error.message
        assert len(box.messages) == 1
    finally:
        controller.stop()


def test_internal_smtp_host_is_refused_by_the_ssrf_policy():
    secrets = Secrets(values={"smtp": {"host": "10.0.0.5", "port": 25}})
    with local_client() as http:
        out = run_block(
            "send_email",
            http=http,
            secrets=secrets,
            credential_id="smtp",
            to="a@example.com",
            subject="s",
            text="t",
            **{"from": "r@example.com"},
        )
    assert out.error.code == "blocked_destination" and "10.0.0.5" in out.error.message


def test_unreachable_server_is_retryable():
    secrets = Secrets(values={"smtp": {"host": "127.0.0.1", "port": free_port()}})
    with local_client() as http:
        out = run_block(
            "send_email",
            http=http,
            secrets=secrets,
            credential_id="smtp",
            to="a@example.com",
            subject="s",
            text="t",
            **{"from": "r@example.com"},
            policies={"retry": {"max_attempts": 1}},
        )
    assert out.error.code == "connection_error" and out.error.retryable is True


def test_implicit_tls(tmp_path):
    cert, key = self_signed(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    box = Mailbox()
    controller = Controller(
        box,
        hostname="127.0.0.1",
        port=free_port(),
        ssl_context=server_tls,
        authenticator=authenticator,
        auth_require_tls=False,
    )
    controller.start()
    try:
        secrets = Secrets(
            values={
                "smtp": {
                    "host": "localhost",
                    "port": controller.port,
                    "username": "mailer",
                    "password": "hunter2",
                    "ssl": True,
                    "from": "r@example.com",
                }
            }
        )
        with local_client(verify=str(cert)) as http:
            http.policy.allowlist = type(http.policy.allowlist).parse(["localhost"])
            out = run_block(
                "send_email",
                http=http,
                secrets=secrets,
                credential_id="smtp",
                to="a@example.com",
                subject="implicit",
                html="<p>TLS</p>",
            )
        assert out.status == "succeeded", out.error
        [received] = box.messages
        assert received["tls"] is True
        assert parsed(received["data"]).get_content_type() == "text/html"
    finally:
        controller.stop()
