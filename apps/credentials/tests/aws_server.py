"""A local stand-in for an AWS Query API (SNS ``Publish``) on 127.0.0.1 that checks
Signature Version 4 the way AWS does: it rebuilds the canonical request from what arrived
(the signed headers named in ``Authorization``, the raw body) and recomputes the signature
with botocore and the key it knows, then compares. Wrong key, scope, body or a stale date:
``403 SignatureDoesNotMatch``, as AWS answers.
"""

from __future__ import annotations

import hmac
import re
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

_AUTH = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<scope>[^,]+), "
    r"SignedHeaders=(?P<signed>[^,]+), Signature=(?P<signature>[0-9a-f]{64})$"
)


class AwsQueryServer:
    def __init__(
        self,
        *,
        access_key_id: str,
        secret_access_key: str,
        service: str,
        region: str,
        session_token: str = "",
    ) -> None:
        self.key = Credentials(access_key_id, secret_access_key, session_token or None)
        self.service, self.region = service, region
        self.published: list[dict[str, list[str]]] = []
        self.refusals: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                problem = outer.verify(self.command, self.path, dict(self.headers.items()), raw)
                if problem:
                    outer.refusals.append(problem)
                    self._answer(
                        403,
                        f"<ErrorResponse><Error><Code>SignatureDoesNotMatch"
                        f"</Code><Message>{problem}</Message></Error>"
                        "</ErrorResponse>",
                    )
                    return
                outer.published.append(parse_qs(raw.decode()))
                self._answer(
                    200,
                    "<PublishResponse><PublishResult><MessageId>m-1</MessageId>"
                    "</PublishResult></PublishResponse>",
                )

            def _answer(self, status: int, text: str) -> None:
                body = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def verify(self, method: str, path: str, headers: dict[str, str], body: bytes) -> str:
        """What is wrong with the request's signature ("" when it is right)."""
        lower = {k.lower(): v for k, v in headers.items()}
        found = _AUTH.match(lower.get("authorization", ""))
        if found is None:
            return "missing or malformed Authorization"
        stamp = lower.get("x-amz-date", "")
        expected_scope = f"{stamp[:8]}/{self.region}/{self.service}/aws4_request"
        if found["key"] != self.key.access_key or found["scope"] != expected_scope:
            return "credential scope mismatch"
        when = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        if abs(datetime.now(UTC) - when) > timedelta(minutes=5):
            return "request time too skewed"
        signed = found["signed"].split(";")
        if "host" not in signed or "x-amz-date" not in signed:
            return "host and x-amz-date must be signed"
        request = AWSRequest(
            method=method,
            url=f"http://{lower['host']}{path}",
            data=body,
            headers={h: lower[h] for h in signed if h != "host"},
        )
        request.context["timestamp"] = stamp
        signer = SigV4Auth(self.key, self.service, self.region)
        canonical = signer.canonical_request(request)
        signature = signer.signature(signer.string_to_sign(request, canonical), request)
        if not hmac.compare_digest(signature, found["signature"]):
            return "signature mismatch"
        return ""

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
