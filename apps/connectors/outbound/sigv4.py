"""AWS Signature Version 4 for outbound requests, signed by botocore's own signer.

A SigV4 signature covers the method, URL, chosen headers and a hash of the body, so it is
computed on the finished request: the client calls ``sign(prepared)`` after preparing each
hop that goes to the call's origin (a redirect elsewhere is never signed). The service and
region come from the settings when given, else from an AWS endpoint host
(``sns.eu-west-1.amazonaws.com``); an endpoint that names neither is refused before sending.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests

from .auth import OutgoingRequest
from .errors import InvalidRequest

__all__ = ["AwsSigV4", "aws_scope"]

# <service>.<region>.amazonaws.com[.cn], the shape of AWS's regional endpoints.
_ENDPOINT = re.compile(
    r"^(?P<service>[a-z0-9-]+)\.(?P<region>[a-z]{2}(?:-[a-z]+)+-\d+)"
    r"\.amazonaws\.com(?:\.cn)?$"
)
# Signed besides what the signer adds (host, x-amz-date, x-amz-security-token): the body's
# type and the caller's x-amz-* headers (X-Amz-Target selects the operation of JSON APIs).
# Hop-by-hop and client headers are left out, so a proxy or transport cannot break it.
_SIGNED = ("content-type",)


def aws_scope(url: str, *, service: str = "", region: str = "") -> tuple[str, str]:
    """(service, region) for a request: the given ones, else the endpoint host's."""
    host = (urlsplit(url).hostname or "").lower()
    found = _ENDPOINT.match(host)
    service = service or (found.group("service") if found else "")
    region = region or (found.group("region") if found else "")
    if not service or not region:
        raise InvalidRequest(
            f"{host!r} is not an AWS regional endpoint; set the service and "
            "region of the AWS credential"
        )
    return service, region


@dataclass(frozen=True)
class AwsSigV4:
    """Signs each request with an AWS access key (and a session token for temporary keys)."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str = field(default="", repr=False)
    service: str = ""
    region: str = ""

    def inject(self, request: OutgoingRequest) -> None:
        """Nothing yet: the signature needs the finished request (``sign``)."""

    def sign(self, prepared: requests.PreparedRequest) -> None:
        # Imported here: botocore costs ~5 MiB in every process that loads the outbound
        # client, and only AWS credentials sign.
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        url = prepared.url or ""
        service, region = aws_scope(url, service=self.service, region=self.region)
        headers = {
            name: value
            for name, value in prepared.headers.items()
            if name.lower() in _SIGNED or name.lower().startswith("x-amz-")
        }
        body = prepared.body.encode() if isinstance(prepared.body, str) else prepared.body
        request = AWSRequest(method=prepared.method, url=url, data=body or b"", headers=headers)
        credentials = Credentials(
            self.access_key_id, self.secret_access_key, self.session_token or None
        )
        SigV4Auth(credentials, service, region).add_auth(request)
        for name in ("Authorization", "X-Amz-Date", "X-Amz-Security-Token"):
            if name in request.headers:
                prepared.headers[name] = request.headers[name]

    def secrets(self) -> Sequence[str]:
        return tuple(v for v in (self.secret_access_key, self.session_token) if v)
