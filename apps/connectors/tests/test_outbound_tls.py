"""HTTPS while connecting to a pinned IP: SNI and certificate checks use the URL's name.

A throwaway CA signs a certificate for ``api.partner.test``; a StubResolver maps that name
to 127.0.0.1, and the allow-list names only the server's ``127.0.0.1:<port>``.
"""

import datetime
import ssl
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from apps.connectors.outbound import (
    OutboundClient,
    OutboundTLSError,
    RetryPolicy,
    SSRFPolicy,
    TargetPolicy,
)
from apps.connectors.outbound.testing import LocalServer, Reply, StubResolver, connections_guard

NAME = "api.partner.test"


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _issue(tmp: Path, dns_names: list[str]) -> tuple[Path, Path, Path]:
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("test CA"))
        .issuer_name(_name("test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name(dns_names[0]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in dns_names]), False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .add_extension(x509.ExtendedKeyUsage([x509.OID_SERVER_AUTH]), False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_path, cert_path, key_path = tmp / "ca.pem", tmp / "cert.pem", tmp / "key.pem"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_path, cert_path, key_path


def _server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


@pytest.fixture(autouse=True)
def _loopback_only():
    with connections_guard():
        yield


def _client(server: LocalServer, ca: Path) -> OutboundClient:
    return OutboundClient(
        SSRFPolicy(allowlist=[server.netloc], resolver=StubResolver({NAME: ["127.0.0.1"]})),
        verify=str(ca),
        default_target=TargetPolicy(retry=RetryPolicy(max_attempts=3, base_delay=0.01)),
    )


def test_https_to_a_pinned_ip_keeps_sni_and_host(tmp_path: Path) -> None:
    ca, cert, key = _issue(tmp_path, [NAME])
    with LocalServer(tls=_server_context(cert, key)) as server:
        server.route("/v1/ping", Reply(200, body=b"pong"))
        response = _client(server, ca).get(f"https://{NAME}:{server.port}/v1/ping")
        assert response.status == 200 and response.body == b"pong"
        assert server.sni_names == [NAME]
        assert server.requests[0].headers["Host"] == f"{NAME}:{server.port}"


def test_certificate_is_checked_against_the_name_not_the_ip(tmp_path: Path) -> None:
    ca, cert, key = _issue(tmp_path, ["someone-else.test"])
    with LocalServer(tls=_server_context(cert, key)) as server:
        client = _client(server, ca)
        with pytest.raises(OutboundTLSError, match="certificate verification failed") as excinfo:
            client.get(f"https://{NAME}:{server.port}/")
        assert NAME in str(excinfo.value)
        assert server.requests == []
        assert len(server.sni_names) == 1  # TLS errors are not retried


def test_an_ip_url_needs_a_certificate_for_that_ip(tmp_path: Path) -> None:
    ca, cert, key = _issue(tmp_path, [NAME])
    with LocalServer(tls=_server_context(cert, key)) as server:
        with pytest.raises(OutboundTLSError):
            _client(server, ca).get(server.url("/"))
        assert server.requests == []


def test_untrusted_certificate_is_refused(tmp_path: Path) -> None:
    _, cert, key = _issue(tmp_path, [NAME])
    (tmp_path / "other").mkdir()
    other_ca, _, _ = _issue(tmp_path / "other", [NAME])  # a CA that did not sign it
    with LocalServer(tls=_server_context(cert, key)) as server, pytest.raises(OutboundTLSError):
        _client(server, other_ca).get(f"https://{NAME}:{server.port}/")
