"""SSRF policy: which destinations the platform may connect to.

Workflows let users type URLs, so every outbound call could be aimed at the platform's own
network (databases, Redis, the Kubernetes API, the cloud metadata service that hands out IAM
credentials). The policy is applied to the *addresses the connection will use*, not to the
URL text, for three reasons:

- Names resolve to anything: ``evil.example`` can have an A record of 127.0.0.1. So a name is
  resolved once with ``getaddrinfo`` and *every* returned address must pass.
- Resolving twice is a race (DNS rebinding: public answer at check time, private at connect
  time, TTL 0). So the transport connects to the exact address that was checked and never
  looks the name up again; ``Host`` and TLS SNI/certificate checks keep the original name.
- IP literals come in many spellings that resolvers accept: ``2130706433``, ``0x7f000001``,
  ``0177.0.0.1``, ``127.1``, ``[::ffff:127.0.0.1]``. They are parsed the way URL parsers and
  ``inet_aton`` do (WHATWG IPv4 parser) and checked as addresses, with no DNS query. A host
  whose last label is numeric but is not a valid IPv4 literal is refused as ambiguous.

IPv6 forms that embed an IPv4 address (IPv4-mapped ``::ffff:a.b.c.d``, NAT64
``64:ff9b::/96``, 6to4 ``2002::/16``) are judged by the embedded IPv4 address; forms that
cannot be judged (IPv4-compatible ``::a.b.c.d``, Teredo, local-use NAT64) are refused.

Self-hosted targets are reached through an explicit allow-list (Django setting
``OUTBOUND_ALLOWLIST``) of CIDRs, ``ip:port`` pairs, and ``host[:port]`` names (``*.`` prefix
for a domain and its subdomains). Cloud metadata addresses and names are refused even when an
allow-list entry would cover them: no workflow ever needs them and their blast radius is the
whole cloud account.

One module, past the ~400-line guideline on purpose: IP-literal parsing, host normalisation,
the allow-list and the policy make one security decision, audited in one file.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import idna
from urllib3.util.connection import allowed_gai_family

from .errors import BlockedDestination, InvalidRequest, UnresolvableHost

__all__ = [
    "AllowList",
    "IPAddress",
    "Resolver",
    "SSRFPolicy",
    "blocked_reason",
    "parse_ip_literal",
    "system_resolver",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Sequence[str]]
"""``resolver(host, port) -> [ip strings]``; raise ``socket.gaierror`` when the name is unknown."""

DEFAULT_PORTS = {"http": 80, "https": 443}
ALLOWED_SCHEMES = frozenset(DEFAULT_PORTS)

_v4 = ipaddress.IPv4Network
_v6 = ipaddress.IPv6Network

METADATA_ADDRESSES: frozenset[IPAddress] = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OCI, DigitalOcean, OpenStack... instance metadata
        "169.254.169.253",  # AWS VPC DNS
        "169.254.169.123",  # AWS time sync
        "169.254.170.2",  # AWS ECS task metadata / credentials
        "169.254.170.23",  # AWS EKS pod identity agent
        "100.100.100.200",  # Alibaba Cloud metadata
        "fd00:ec2::254",  # AWS IMDS over IPv6
        "fd00:ec2::253",
        "fd00:ec2::23",  # AWS EKS pod identity agent over IPv6
        "fd00:ec2::123",
    )
)
METADATA_HOSTNAMES = frozenset(
    {
        "metadata.google.internal",
        "metadata.goog",
        "metadata",
        "instance-data",
        "instance-data.ec2.internal",
    }
)

# First match wins; the reason is shown to the user.
_BLOCKED_V4: tuple[tuple[IPNetwork, str], ...] = (
    (_v4("0.0.0.0/32"), "unspecified address"),
    (_v4("0.0.0.0/8"), "'this network' address (0.0.0.0/8)"),
    (_v4("127.0.0.0/8"), "loopback address"),
    (_v4("10.0.0.0/8"), "private address (RFC 1918)"),
    (_v4("172.16.0.0/12"), "private address (RFC 1918)"),
    (_v4("192.168.0.0/16"), "private address (RFC 1918)"),
    (_v4("100.64.0.0/10"), "carrier-grade NAT shared address (100.64.0.0/10)"),
    (_v4("169.254.0.0/16"), "link-local address"),
    (_v4("192.0.0.0/24"), "IETF protocol assignment (192.0.0.0/24)"),
    (_v4("192.0.2.0/24"), "documentation address"),
    (_v4("198.51.100.0/24"), "documentation address"),
    (_v4("203.0.113.0/24"), "documentation address"),
    (_v4("192.88.99.0/24"), "6to4 relay anycast address"),
    (_v4("198.18.0.0/15"), "benchmarking address (198.18.0.0/15)"),
    (_v4("224.0.0.0/4"), "multicast address"),
    (_v4("255.255.255.255/32"), "broadcast address"),
    (_v4("240.0.0.0/4"), "reserved address (240.0.0.0/4)"),
)
_BLOCKED_V6: tuple[tuple[IPNetwork, str], ...] = (
    (_v6("::/128"), "unspecified address"),
    (_v6("::1/128"), "loopback address"),
    (_v6("::ffff:0:0:0/96"), "IPv4-translated address (::ffff:0:0:0/96)"),
    (_v6("::/96"), "IPv4-compatible IPv6 address (deprecated)"),
    (_v6("64:ff9b:1::/48"), "local-use NAT64 address (64:ff9b:1::/48)"),
    (_v6("100::/64"), "discard-only address (100::/64)"),
    (_v6("2001::/32"), "Teredo tunnel address (2001::/32)"),
    (_v6("2001:db8::/32"), "documentation address"),
    (_v6("2001::/23"), "IETF protocol assignment (2001::/23)"),
    (_v6("3fff::/20"), "documentation address"),
    (_v6("5f00::/16"), "segment routing SID (5f00::/16)"),
    (_v6("fc00::/7"), "unique local address (fc00::/7)"),
    (_v6("fe80::/10"), "link-local address"),
    (_v6("fec0::/10"), "site-local address (deprecated)"),
    (_v6("ff00::/8"), "multicast address"),
)
_NAT64 = _v6("64:ff9b::/96")
_SIXTOFOUR = _v6("2002::/16")

_LABEL_RE = re.compile(r"^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$")
_HEX_RE = re.compile(r"^0[x][0-9a-f]*$")


# -- address classification ---------------------------------------------------------------


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, str] | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped, "IPv4-mapped"
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF), "NAT64"
    if ip.sixtofour is not None:
        return ip.sixtofour, "6to4"
    return None


def blocked_reason(
    ip: IPAddress, *, allowed: Callable[[IPAddress], bool] | None = None
) -> str | None:
    """Why ``ip`` may not be contacted, or None when it may.

    ``allowed(ip)`` is consulted after the metadata check and before the category checks, so
    an allow-list can open private ranges but never the metadata service.
    """
    if ip in METADATA_ADDRESSES:
        return "cloud metadata address"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return "IPv6 address with a zone identifier"
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            inner, kind = embedded
            if allowed is not None and allowed(ip):
                return None if inner not in METADATA_ADDRESSES else "cloud metadata address"
            reason = blocked_reason(inner, allowed=allowed)
            return None if reason is None else f"{kind} IPv6 address embedding {inner}: {reason}"
    if allowed is not None and allowed(ip):
        return None
    table = _BLOCKED_V4 if isinstance(ip, ipaddress.IPv4Address) else _BLOCKED_V6
    for network, reason in table:
        if ip in network:
            return reason
    if not ip.is_global:
        return "address is not globally routable"
    return None


# -- host parsing -----------------------------------------------------------------------------


def _parse_ipv4_number(part: str) -> int | None:
    if _HEX_RE.match(part):
        # WHATWG reads a bare "0x" as 0 and inet_aton refuses it: ambiguous, so refused.
        return int(part[2:], 16) if len(part) > 2 else None
    if part.isdigit() and part.isascii():
        if len(part) > 1 and part.startswith("0"):
            return int(part, 8) if all(c in "01234567" for c in part) else None
        return int(part)
    return None


def _ends_in_number(labels: list[str]) -> bool:
    last = labels[-1]
    return bool(last) and ((last.isascii() and last.isdigit()) or bool(_HEX_RE.match(last)))


def parse_ip_literal(host: str) -> IPAddress | None:
    """The address a URL host denotes literally, or None for a DNS name.

    Accepts bracketed or bare IPv6 and every IPv4 spelling that URL parsers and
    ``inet_aton`` accept (1-4 parts, each decimal, 0x-hex or 0-octal). Raises
    ``InvalidRequest`` for a host that ends in a number but is no valid IPv4 address.
    """
    text = host.strip().lower()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    if ":" in text:
        try:
            return ipaddress.IPv6Address(text)
        except ValueError:
            raise InvalidRequest(f"invalid IPv6 address {host!r}") from None
    labels = text.split(".")
    if len(labels) > 1 and labels[-1] == "":
        labels = labels[:-1]
    if not labels or not _ends_in_number(labels):
        return None
    numbers = [_parse_ipv4_number(label) for label in labels]
    if len(labels) > 4 or any(n is None for n in numbers):
        raise InvalidRequest(f"host {host!r} looks numeric but is not a valid IPv4 address")
    values = [n for n in numbers if n is not None]
    *head, last = values
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(values)):
        raise InvalidRequest(f"host {host!r} looks numeric but is not a valid IPv4 address")
    value = last
    for index, n in enumerate(head):
        value += n << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def normalize_hostname(host: str) -> str:
    """Lower-case, IDNA-encode (UTS #46, as requests does), drop one trailing dot, validate."""
    name = host.strip().lower()
    if name.endswith("."):
        name = name[:-1]
    if not name.isascii():
        try:
            name = idna.encode(name, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError):
            raise InvalidRequest(f"invalid host name {host!r}") from None
    if not name or len(name) > 253:
        raise InvalidRequest(f"invalid host name {host!r}")
    if not all(_LABEL_RE.match(label) for label in name.split(".")):
        raise InvalidRequest(f"invalid host name {host!r}")
    return name


# -- allow-list -------------------------------------------------------------------------------


def _parse_port(text: str, entry: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"allow-list entry {entry!r} has an invalid port")
    return int(text)


@dataclass(frozen=True)
class AllowList:
    """Destinations that are allowed although private (self-hosted services).

    Entries: ``"10.0.0.0/8"`` / ``"192.168.1.10"`` / ``"fd12::/64"`` (any port),
    ``"10.1.2.3:8080"`` / ``"[fd12::1]:8443"`` (that port only), ``"gitlab.internal"`` /
    ``"gitlab.internal:8443"`` / ``"*.corp.example"`` (by name: whatever the name resolves
    to is allowed, so only list names whose DNS you control).
    """

    networks: tuple[IPNetwork, ...] = ()
    address_ports: frozenset[tuple[IPAddress, int]] = frozenset()
    hosts: frozenset[tuple[str, int | None]] = frozenset()
    domains: frozenset[tuple[str, int | None]] = frozenset()

    @classmethod
    def parse(cls, entries: Iterable[str] | str | None) -> AllowList:
        """Build from strings (or one comma-separated string); raises ValueError when invalid."""
        if entries is None:
            return cls()
        if isinstance(entries, str):
            entries = entries.split(",")
        networks: list[IPNetwork] = []
        address_ports: set[tuple[IPAddress, int]] = set()
        hosts: set[tuple[str, int | None]] = set()
        domains: set[tuple[str, int | None]] = set()
        for raw in entries:
            entry = raw.strip()
            if not entry:
                continue
            if "/" in entry:
                try:
                    networks.append(ipaddress.ip_network(entry, strict=True))
                except ValueError as exc:
                    raise ValueError(
                        f"allow-list entry {entry!r} is not a valid CIDR: {exc}"
                    ) from None
                continue
            if entry.startswith("["):
                address, _, rest = entry[1:].partition("]")
                try:
                    ip6 = ipaddress.IPv6Address(address)
                except ValueError:
                    raise ValueError(f"allow-list entry {entry!r} is not valid") from None
                if not rest:
                    networks.append(ipaddress.ip_network(ip6))
                elif rest.startswith(":"):
                    address_ports.add((ip6, _parse_port(rest[1:], entry)))
                else:
                    raise ValueError(f"allow-list entry {entry!r} is not valid")
                continue
            try:
                networks.append(ipaddress.ip_network(ipaddress.ip_address(entry)))
                continue
            except ValueError:
                pass
            if entry.count(":") > 1:
                raise ValueError(f"allow-list entry {entry!r}: bracket IPv6 addresses with ports")
            name, _, port_text = entry.partition(":")
            port = _parse_port(port_text, entry) if port_text else None
            try:
                literal = parse_ip_literal(name)
            except InvalidRequest:
                raise ValueError(f"allow-list entry {entry!r} is not valid") from None
            if literal is not None:
                if port is None:
                    networks.append(ipaddress.ip_network(literal))
                else:
                    address_ports.add((literal, port))
                continue
            wildcard = name.startswith("*.")
            try:
                normalized = normalize_hostname(name[2:] if wildcard else name)
            except InvalidRequest:
                raise ValueError(f"allow-list entry {entry!r} is not a valid host name") from None
            (domains if wildcard else hosts).add((normalized, port))
        return cls(tuple(networks), frozenset(address_ports), frozenset(hosts), frozenset(domains))

    def __bool__(self) -> bool:
        return bool(self.networks or self.address_ports or self.hosts or self.domains)

    def allows_host(self, host: str, port: int) -> bool:
        """True when the host *name* is trusted (its resolved addresses are not checked)."""
        for name, allowed_port in self.hosts:
            if name == host and allowed_port in (None, port):
                return True
        for domain, allowed_port in self.domains:
            if (host == domain or host.endswith("." + domain)) and allowed_port in (None, port):
                return True
        return False

    def allows_address(self, ip: IPAddress, port: int) -> bool:
        if (ip, port) in self.address_ports:
            return True
        return any(ip.version == net.version and ip in net for net in self.networks)


# -- resolution and the policy ------------------------------------------------------------------


def system_resolver(host: str, port: int) -> list[str]:
    """Resolve with the OS resolver (``getaddrinfo``), IPv6 only when this host has it."""
    infos = socket.getaddrinfo(host, port, family=allowed_gai_family(), type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos if info[0] in (socket.AF_INET, socket.AF_INET6)]


def _parse_resolved(address: str) -> IPAddress:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.scope_id:
        return ipaddress.IPv6Address(address.split("%", 1)[0])
    return ip


class SSRFPolicy:
    """Decides whether a URL may be fetched and which checked addresses to connect to.

    ``allowlist``: an ``AllowList`` or its string entries (Django: ``OUTBOUND_ALLOWLIST``).
    ``resolver``: ``(host, port) -> [ip strings]``; ``socket.getaddrinfo`` by default, a stub
    in tests.
    """

    def __init__(
        self,
        *,
        allowlist: AllowList | Iterable[str] | str | None = None,
        resolver: Resolver | None = None,
    ) -> None:
        self.allowlist = (
            allowlist if isinstance(allowlist, AllowList) else AllowList.parse(allowlist)
        )
        self.resolver: Resolver = resolver or system_resolver

    def __repr__(self) -> str:
        return f"SSRFPolicy(allowlist={self.allowlist!r})"

    def check_url(self, url: str) -> tuple[str, str, int]:
        """Syntactic checks (no DNS): returns (scheme, host, port) or raises.

        Refuses schemes other than http/https, missing hosts, credentials in the URL (use an
        auth injector so they never end up in logs), and malformed hosts.
        """
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise InvalidRequest("the URL is malformed (bad host or port)") from None
        scheme = parts.scheme.lower()
        host = parts.hostname or ""
        if scheme not in ALLOWED_SCHEMES:
            raise BlockedDestination(host or "?", f"scheme {scheme or '(none)'!r} is not allowed")
        if not host:
            raise InvalidRequest("the URL has no host")
        if parts.username is not None or parts.password is not None:
            raise InvalidRequest("credentials in the URL are not allowed; use an auth injector")
        if parse_ip_literal(host) is None:
            parse_ip_literal(normalize_hostname(host))  # a Unicode name may map to digits
        return scheme, host, port or DEFAULT_PORTS[scheme]

    def resolve(self, host: str, port: int) -> list[IPAddress]:
        """Resolve ``host`` once and return its addresses, all of them checked.

        Raises ``BlockedDestination`` if any address (or the name) is refused, and
        ``UnresolvableHost`` when resolution fails. Callers must connect to one of the
        returned addresses and not resolve the name again.
        """
        literal = parse_ip_literal(host)
        name = ""
        if literal is None:
            name = normalize_hostname(host)
            literal = parse_ip_literal(name)  # full-width digits map to an IPv4 literal
        if literal is not None:
            self._check(literal, port, display=host)
            return [literal]
        if name in METADATA_HOSTNAMES or name.endswith(".metadata.google.internal"):
            raise BlockedDestination(host, "cloud metadata host name")
        try:
            answers = self.resolver(name, port)
        except (OSError, UnicodeError) as exc:  # socket.gaierror is an OSError
            raise UnresolvableHost(f"could not resolve {host!r}: {_gai_reason(exc)}") from None
        addresses: list[IPAddress] = []
        for answer in answers:
            try:
                ip = _parse_resolved(answer)
            except ValueError:
                raise UnresolvableHost(f"resolver returned a non-address for {host!r}") from None
            if ip not in addresses:
                addresses.append(ip)
        if not addresses:
            raise UnresolvableHost(f"could not resolve {host!r}: no addresses")
        trusted_name = self.allowlist.allows_host(name, port)
        for ip in addresses:
            if trusted_name:
                if blocked_reason(ip, allowed=lambda _ip: True) is not None:
                    raise BlockedDestination(host, f"resolves to {ip}, a cloud metadata address")
            else:
                self._check(ip, port, display=host, resolved=True)
        return addresses

    def check_destination(self, url: str) -> list[IPAddress]:
        """``check_url`` + ``resolve``: the checked addresses for ``url``."""
        _, host, port = self.check_url(url)
        return self.resolve(host, port)

    def _check(self, ip: IPAddress, port: int, *, display: str, resolved: bool = False) -> None:
        reason = blocked_reason(ip, allowed=lambda a: self.allowlist.allows_address(a, port))
        if reason is not None:
            raise BlockedDestination(display, f"resolves to {ip}, {reason}" if resolved else reason)


def _gai_reason(exc: BaseException) -> str:
    if isinstance(exc, socket.gaierror) and exc.strerror:
        return exc.strerror
    return type(exc).__name__
