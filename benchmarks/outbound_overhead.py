"""Cost of the guarded outbound client over plain requests, on loopback only.

Run: ``.venv/bin/python -m benchmarks.outbound_overhead [calls]`` (default 500 calls each).
It starts a local HTTP server on 127.0.0.1, allow-lists exactly that address and port, and
times sequential GETs through ``requests.Session`` and through ``OutboundClient`` (with the
in-memory store and the default policies), plus the SSRF check alone. Bounded in count; it
sends nothing beyond the loopback interface.

Recorded (2 cores shared with other work, Python 3.11, 500-1000 calls, keep-alive in both):
    requests.Session          0.65-0.95 ms/call
    OutboundClient            0.75-1.02 ms/call  (resolve + check, metrics, policy state, log)
    SSRF check alone          18-30 us (literal IP or stub-resolved name)
The guard adds about 0.1 ms per call; upstream latency dominates.
"""

from __future__ import annotations

import sys
import time

import requests

from apps.connectors.outbound import OutboundClient, SSRFPolicy
from apps.connectors.outbound.testing import LocalServer, Reply, StubResolver


def per_call(fn, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


def main(n: int = 500) -> None:
    with LocalServer() as server:
        server.route("/", Reply(200, body=b"x" * 512))
        url = server.url("/")
        session = requests.Session()
        session.trust_env = False
        client = OutboundClient(SSRFPolicy(allowlist=[server.netloc]))
        per_call(lambda: session.get(url).content, 20)  # warm up both pools
        per_call(lambda: client.get(url), 20)
        plain = per_call(lambda: session.get(url).content, n)
        guarded = per_call(lambda: client.get(url), n)
        policy = SSRFPolicy(resolver=StubResolver({"api.example": ["8.8.8.8"]}))
        literal = per_call(lambda: policy.check_destination("http://8.8.8.8/"), n * 10)
        named = per_call(lambda: policy.check_destination("https://api.example/"), n * 10)
    print(f"requests.Session       {plain * 1000:.3f} ms/call")
    print(f"OutboundClient         {guarded * 1000:.3f} ms/call")
    print(f"SSRF check, literal    {literal * 1e6:.1f} us")
    print(f"SSRF check, stub name  {named * 1e6:.1f} us")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
