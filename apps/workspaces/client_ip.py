"""The caller's address: `X-Forwarded-For` counts only as far as our own proxies wrote it.

Anyone can send `X-Forwarded-For`, so a raw header is never trusted. When the connection
comes from a proxy listed in TRUSTED_PROXIES (addresses or CIDRs), the header is read from
the right, skipping the trusted proxies; the first other address is the client.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address, or None when the connection does not say."""
    trusted = _networks(tuple(settings.TRUSTED_PROXIES))
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return None
    hops = [
        a
        for a in (_address(p) for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(","))
        if a is not None
    ]
    current = peer
    while any(current in network for network in trusted) and hops:
        current = hops.pop()
    return str(current)
