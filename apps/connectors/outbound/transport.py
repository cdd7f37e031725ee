"""A requests transport adapter that connects only to addresses the SSRF policy checked.

Why a custom adapter and not ``requests-hardened``: that library uses the right technique
(swap the pool's host for the resolved IP, keep ``Host``/SNI/certificate checks on the name),
and this adapter follows it, but it checks only the first resolved address, has a loopback
switch instead of an allow-list (no CIDRs, no ``host:port``), no injectable resolver, no
metadata host names, and its error carries no reason. Those are the parts we need, and the
core is ~40 lines, so it lives here instead of being patched around.

How the pinning works: requests asks ``build_connection_pool_key_attributes`` for the pool
to use. We resolve the URL host through the policy (one lookup, every address checked), put
the first checked IP in the pool key (so urllib3 connects to that IP and a pooled keep-alive
connection is only reused for the same IP), send ``Host: <original name>`` and, for HTTPS,
``server_hostname``/``assert_hostname`` = the name, so SNI and certificate verification are
done against the name and not the IP. Proxies are never used: a proxy would make its own DNS
lookup and connection, out of the policy's reach.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from requests import PreparedRequest, Response
from requests.adapters import HTTPAdapter

from .ssrf import DEFAULT_PORTS, SSRFPolicy

__all__ = ["PinnedAddressAdapter"]


class PinnedAddressAdapter(HTTPAdapter):
    """HTTPAdapter for http:// and https:// that enforces an ``SSRFPolicy`` per connection."""

    def __init__(self, policy: SSRFPolicy, *, pool_maxsize: int = 10) -> None:
        # max_retries=0: retries are the client's job (it knows idempotency and budgets).
        super().__init__(pool_connections=10, pool_maxsize=pool_maxsize, max_retries=0)
        self.policy = policy

    def build_connection_pool_key_attributes(
        self,
        request: PreparedRequest,
        verify: bool | str,
        cert: str | tuple[str, str] | None = None,
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        scheme = str(host_params["scheme"]).lower()
        host = str(host_params["host"])
        explicit_port = host_params.get("port")
        port = int(explicit_port) if explicit_port else DEFAULT_PORTS[scheme]

        addresses = self.policy.resolve(host, port)  # raises BlockedDestination
        address = addresses[0]

        authority = f"[{host}]" if ":" in host else host
        if explicit_port:
            authority += f":{explicit_port}"
        request.headers["Host"] = authority

        if scheme == "https":
            tls_name = host.strip("[]")
            pool_kwargs["server_hostname"] = tls_name
            pool_kwargs["assert_hostname"] = tls_name

        host_params["host"] = (
            f"[{address}]" if isinstance(address, ipaddress.IPv6Address) else str(address)
        )
        host_params["port"] = port
        return host_params, pool_kwargs

    def get_connection(self, url: str, proxies: Mapping[str, str] | None = None) -> Any:
        # The pre-2.32 API builds pools from the URL alone, bypassing the pinning above.
        raise NotImplementedError("use get_connection_with_tls_context")

    def send(
        self,
        request: PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: Mapping[str, str] | None = None,
    ) -> Response:
        return super().send(
            request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=None
        )
