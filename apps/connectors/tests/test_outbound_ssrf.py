"""SSRF policy decisions. Nothing here opens a socket: literals need no resolver, and names
go through a StubResolver (or the OS resolver for ``localhost`` only)."""

import ipaddress

import pytest

from apps.connectors.outbound import AllowList, BlockedDestination, InvalidRequest, SSRFPolicy
from apps.connectors.outbound.errors import UnresolvableHost
from apps.connectors.outbound.ssrf import blocked_reason, parse_ip_literal
from apps.connectors.outbound.testing import StubResolver, connections_guard


@pytest.fixture(autouse=True)
def _no_connections():
    with connections_guard() as connected:
        yield
    assert connected == []  # policy checks never connect


def no_dns(host: str, port: int) -> list[str]:
    raise AssertionError(f"literal host must not be resolved, got {host!r}")


def policy(allowlist=None, resolver=no_dns) -> SSRFPolicy:
    return SSRFPolicy(allowlist=allowlist, resolver=resolver)


# -- literal forms -------------------------------------------------------------------------

LITERALS = {
    # host as it appears in the URL: the address it denotes
    "2130706433": "127.0.0.1",
    "0x7f000001": "127.0.0.1",
    "0X7F000001": "127.0.0.1",
    "0177.0.0.1": "127.0.0.1",
    "0177.0000.0000.0001": "127.0.0.1",
    "127.1": "127.0.0.1",
    "127.0.1": "127.0.0.1",
    "0x7f.1": "127.0.0.1",
    "0x7f.0.0.0x1": "127.0.0.1",
    "127.0.0.1.": "127.0.0.1",
    "0": "0.0.0.0",  # noqa: S104
    "3232235777": "192.168.1.1",
    "0xa9fea9fe": "169.254.169.254",
    "012.0.0.1": "10.0.0.1",
    "[::1]": "::1",
    "[::ffff:127.0.0.1]": "::ffff:7f00:1",
    "[0:0:0:0:0:ffff:7f00:1]": "::ffff:7f00:1",
}


@pytest.mark.parametrize(("host", "address"), LITERALS.items())
def test_parse_ip_literal_spellings(host: str, address: str) -> None:
    assert parse_ip_literal(host) == ipaddress.ip_address(address)


@pytest.mark.parametrize("host", ["example.com", "a.b.example", "1e100.net", "123.example", "x"])
def test_names_are_not_literals(host: str) -> None:
    assert parse_ip_literal(host) is None


@pytest.mark.parametrize(
    "host",
    [
        "1.2.3.4.5",
        "example.123",
        "256.1.1.1",
        "4294967296",
        "0x1g.0.0.1",
        "09.0.0.1",
        "example.0x10",
        "1.2.3.0x",
    ],
)
def test_ambiguous_numeric_hosts_are_refused(host: str) -> None:
    with pytest.raises(InvalidRequest, match="not a valid IPv4"):
        policy().check_destination(f"http://{host}/")


BLOCKED_URLS = {
    "http://127.0.0.1/": "loopback",
    "http://2130706433/": "loopback",
    "http://0x7f000001/": "loopback",
    "http://0177.0.0.1/": "loopback",
    "http://127.1/": "loopback",
    "http://127.0.0.1.:8080/": "loopback",
    "http://[::1]/": "loopback",
    "http://[::ffff:127.0.0.1]/": "IPv4-mapped IPv6 address embedding 127.0.0.1: loopback",
    "http://[::ffff:7f00:1]:80/": "IPv4-mapped",
    "http://[::127.0.0.1]/": "IPv4-compatible",
    "http://[::a00:1]/": "IPv4-compatible",
    "http://[64:ff9b::7f00:1]/": "NAT64 IPv6 address embedding 127.0.0.1: loopback",
    "http://[64:ff9b::a00:1]/": "NAT64 IPv6 address embedding 10.0.0.1: private",
    "http://[64:ff9b:1::1]/": "local-use NAT64",
    "http://[2002:7f00:1::1]/": "6to4 IPv6 address embedding 127.0.0.1: loopback",
    "http://[2002:c0a8:101::1]/": "6to4 IPv6 address embedding 192.168.1.1: private",
    "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/": "Teredo",
    "http://10.0.0.1/": "private address (RFC 1918)",
    "http://012.0.0.1/": "private address (RFC 1918)",
    "http://172.16.5.4/": "private",
    "http://172.31.255.255/": "private",
    "http://192.168.1.1/": "private",
    "http://3232235777/": "private",
    "http://100.64.0.1/": "carrier-grade NAT",
    "http://100.127.255.254/": "carrier-grade NAT",
    "http://169.254.1.1/": "link-local",
    "http://[fe80::1]/": "link-local",
    "http://[fe80::1%25eth0]/": "zone identifier",
    "http://169.254.169.254/latest/meta-data/": "cloud metadata address",
    "http://0xa9fea9fe/": "cloud metadata address",
    "http://[::ffff:169.254.169.254]/": "cloud metadata address",
    "http://[fd00:ec2::254]/": "cloud metadata address",
    "http://169.254.170.2/v2/credentials": "cloud metadata address",
    "http://100.100.100.200/": "cloud metadata address",
    "http://224.0.0.1/": "multicast",
    "http://239.255.255.250/": "multicast",
    "http://[ff02::1]/": "multicast",
    "http://0.0.0.0/": "unspecified",
    "http://0/": "unspecified",
    "http://[::]/": "unspecified",
    "http://0.1.2.3/": "this network",
    "http://255.255.255.255/": "broadcast",
    "http://240.0.0.1/": "reserved",
    "http://[fc00::1]/": "unique local",
    "http://[fd12:3456::1]/": "unique local",
    "http://[fec0::1]/": "site-local",
    "http://192.0.2.1/": "documentation",
    "http://[2001:db8::1]/": "documentation",
    "http://198.18.0.1/": "benchmarking",
    "http://192.0.0.8/": "IETF protocol assignment",
    "http://192.88.99.1/": "6to4 relay",
    "http://[100::1]/": "discard-only",
    "https://127.0.0.1:8443/": "loopback",
}


@pytest.mark.parametrize(("url", "reason"), BLOCKED_URLS.items())
def test_private_literals_are_blocked_in_every_spelling(url: str, reason: str) -> None:
    with pytest.raises(BlockedDestination) as excinfo:
        policy().check_destination(url)
    assert reason in excinfo.value.reason
    assert "blocked" in str(excinfo.value)


@pytest.mark.parametrize(
    "url",
    [
        "http://8.8.8.8/",
        "https://1.1.1.1:8443/x",
        "http://134744072/",  # 8.8.8.8 as one number
        "http://[2606:4700:4700::1111]/",
        "http://[::ffff:8.8.8.8]/",
        "http://[64:ff9b::808:808]/",  # NAT64 of a public address (DNS64 networks)
        "http://[2002:808:808::1]/",  # 6to4 of a public address
    ],
)
def test_public_literals_pass_without_dns(url: str) -> None:
    addresses = policy().check_destination(url)
    assert len(addresses) == 1


# -- schemes and URL shape ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["ftp://8.8.8.8/", "file:///etc/passwd", "gopher://8.8.8.8/", "dict://x/", "//x/"]
)
def test_only_http_and_https(url: str) -> None:
    with pytest.raises(BlockedDestination, match="scheme"):
        policy().check_destination(url)


def test_url_shape_errors() -> None:
    with pytest.raises(InvalidRequest, match="credentials in the URL"):
        policy().check_url("http://user:pw@8.8.8.8/")
    with pytest.raises(InvalidRequest, match="no host"):
        policy().check_url("http:///path")
    with pytest.raises(InvalidRequest, match="malformed"):
        policy().check_url("http://8.8.8.8:99999/")
    with pytest.raises(InvalidRequest, match="invalid host name"):
        policy().check_url("http://bad_host!.example/")


# -- names and resolution ---------------------------------------------------------------------


def test_every_resolved_address_must_pass() -> None:
    resolver = StubResolver({"mixed.example": ["8.8.8.8", "10.0.0.7"]})
    with pytest.raises(BlockedDestination, match=r"resolves to 10\.0\.0\.7, private"):
        policy(resolver=resolver).check_destination("http://mixed.example/")
    assert resolver.calls == [("mixed.example", 80)]


def test_public_name_passes_and_returns_checked_addresses() -> None:
    resolver = StubResolver({"api.example": ["8.8.8.8", "2606:4700:4700::1111", "8.8.8.8"]})
    addresses = policy(resolver=resolver).check_destination("https://API.Example./v1")
    assert [str(a) for a in addresses] == ["8.8.8.8", "2606:4700:4700::1111"]
    assert resolver.calls == [("api.example", 443)]


@pytest.mark.parametrize(
    "answer",
    [
        "127.0.0.1",
        "::1",
        "::ffff:127.0.0.1",
        "169.254.169.254",
        "fd00:ec2::254",
        "fe80::1%eth0",
        "100.64.1.1",
        "64:ff9b::a9fe:a9fe",
    ],
)
def test_names_resolving_to_internal_addresses_are_blocked(answer: str) -> None:
    resolver = StubResolver({"rebind.example": [answer]})
    with pytest.raises(BlockedDestination, match="resolves to"):
        policy(resolver=resolver).check_destination("http://rebind.example/")


def test_localhost_is_blocked_through_the_system_resolver() -> None:
    with pytest.raises(BlockedDestination, match="loopback"):
        SSRFPolicy().check_destination("http://localhost:8000/")


@pytest.mark.parametrize(
    "host",
    [
        "metadata.google.internal",
        "METADATA.google.internal.",
        "metadata",
        "metadata.goog",
        "instance-data",
    ],
)
def test_metadata_names_are_blocked_before_resolution(host: str) -> None:
    resolver = StubResolver({})
    with pytest.raises(BlockedDestination, match="cloud metadata host name"):
        policy(allowlist=[host], resolver=resolver).check_destination(f"http://{host}/")
    assert resolver.calls == []


def test_unresolvable_names() -> None:
    with pytest.raises(UnresolvableHost, match="could not resolve"):
        policy(resolver=StubResolver({})).check_destination("http://nowhere.example/")
    with pytest.raises(UnresolvableHost, match="no addresses"):
        policy(resolver=StubResolver({"empty.example": []})).check_destination(
            "http://empty.example/"
        )


# -- allow-list --------------------------------------------------------------------------------


def test_allowlist_cidr_opens_a_range_on_any_port() -> None:
    p = policy(allowlist=["10.0.0.0/8", "fd12::/16"])
    assert p.check_destination("http://10.1.2.3:9000/")
    assert p.check_destination("http://012.1.2.3/")  # same address, octal spelling
    assert p.check_destination("http://[fd12::5]/")
    with pytest.raises(BlockedDestination):
        p.check_destination("http://192.168.0.1/")
    with pytest.raises(BlockedDestination):
        p.check_destination("http://[fd13::5]/")


def test_allowlist_address_with_port_opens_that_port_only() -> None:
    p = policy(allowlist="127.0.0.1:8080, [::1]:8443")
    assert p.check_destination("http://127.0.0.1:8080/")
    assert p.check_destination("https://[::1]:8443/")
    with pytest.raises(BlockedDestination):
        p.check_destination("http://127.0.0.1:8081/")
    with pytest.raises(BlockedDestination):
        p.check_destination("http://127.0.0.1/")


def test_allowlist_host_names_and_domains() -> None:
    resolver = StubResolver(
        {
            "gitlab.internal": ["10.0.0.5"],
            "ci.corp.example": ["10.0.0.6"],
            "corp.example": ["10.0.0.7"],
            "evilcorp.example": ["10.0.0.8"],
            "other.internal": ["10.0.0.9"],
            "sneaky.corp.example": ["169.254.169.254"],
        }
    )
    p = policy(
        allowlist=["gitlab.internal", "*.corp.example", "other.internal:8443"], resolver=resolver
    )
    assert p.check_destination("https://gitlab.internal/api")
    assert p.check_destination("http://ci.corp.example/")
    assert p.check_destination("http://corp.example/")
    assert p.check_destination("https://other.internal:8443/")
    with pytest.raises(BlockedDestination):
        p.check_destination("http://evilcorp.example/")
    with pytest.raises(BlockedDestination):
        p.check_destination("https://other.internal/")
    with pytest.raises(BlockedDestination, match="cloud metadata"):
        p.check_destination("http://sneaky.corp.example/")


@pytest.mark.parametrize("allow", [["169.254.0.0/16"], ["0.0.0.0/0", "::/0"], ["169.254.169.254"]])
def test_allowlist_never_opens_metadata(allow: list[str]) -> None:
    p = policy(allowlist=allow)
    with pytest.raises(BlockedDestination, match="cloud metadata"):
        p.check_destination("http://169.254.169.254/")
    with pytest.raises(BlockedDestination, match="cloud metadata"):
        p.check_destination("http://[::ffff:169.254.169.254]/")


def test_allowlist_embedded_forms_follow_the_inner_address() -> None:
    p = policy(allowlist=["127.0.0.1/32"])
    assert p.check_destination("http://[::ffff:127.0.0.1]/")
    with pytest.raises(BlockedDestination):
        p.check_destination("http://[::ffff:127.0.0.2]/")


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("10.0.0.1/8", "not a valid CIDR"),
        ("host.example:99999", "invalid port"),
        ("host.example:http", "invalid port"),
        ("::1:80", None),  # a bare IPv6 address (::1:80), allowed
        ("fd00::1:80:90:1:2:3:4:5", "bracket IPv6"),
        ("[::1]x", "not valid"),
        ("bad host", "not a valid host name"),
        ("1.2.3.4.5", "not valid"),
    ],
)
def test_allowlist_parse_errors(entry: str, message: str | None) -> None:
    if message is None:
        assert AllowList.parse([entry])
        return
    with pytest.raises(ValueError, match=message):
        AllowList.parse([entry])


def test_empty_allowlist() -> None:
    assert not AllowList.parse(None)
    assert not AllowList.parse("")
    assert not AllowList.parse([" ", ""])


def test_blocked_reason_public_and_private() -> None:
    assert blocked_reason(ipaddress.ip_address("8.8.8.8")) is None
    assert blocked_reason(ipaddress.ip_address("10.0.0.1")) == "private address (RFC 1918)"
    assert blocked_reason(ipaddress.ip_address("10.0.0.1"), allowed=lambda ip: True) is None


def test_unicode_names_are_idna_encoded_before_resolution() -> None:
    resolver = StubResolver({"xn--bcher-kva.example": ["8.8.8.8"]})
    assert policy(resolver=resolver).check_destination("http://bücher.example/")
    assert resolver.calls == [("xn--bcher-kva.example", 80)]


def test_full_width_digits_are_an_ip_literal() -> None:
    with pytest.raises(BlockedDestination, match="loopback"):
        policy().check_destination("http://\uff11\uff12\uff17.\uff10.\uff10.\uff11/")
    with pytest.raises(InvalidRequest, match="invalid host name"):
        policy().check_destination("http://a\u200db..example/")
