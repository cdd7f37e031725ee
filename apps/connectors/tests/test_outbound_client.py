"""The outbound client against real HTTP servers on 127.0.0.1.

Every test runs under ``connections_guard``: a connect to anything but loopback fails the
test, and blocked cases assert that no connection was opened at all.
"""

import gzip
import json
import logging
import socket

import pytest

from apps.connectors.outbound import (
    ApiKeyHeader,
    ApiKeyQuery,
    BasicAuth,
    BearerToken,
    BlockedDestination,
    InvalidRequest,
    OutboundClient,
    OutboundConnectionError,
    OutboundTimeout,
    ResponseTooLarge,
    RetryPolicy,
    SSRFPolicy,
    TargetPolicy,
    TooManyRedirects,
)
from apps.connectors.outbound.testing import LocalServer, Reply, StubResolver, connections_guard

NO_RETRY = TargetPolicy(retry=RetryPolicy(max_attempts=1))


@pytest.fixture
def connected():
    with connections_guard() as connected:
        yield connected


@pytest.fixture
def server():
    with LocalServer() as srv:
        yield srv


def client_for(*allow: str, resolver=None, **kwargs) -> OutboundClient:
    kwargs.setdefault("default_target", NO_RETRY)
    return OutboundClient(SSRFPolicy(allowlist=list(allow), resolver=resolver), **kwargs)


def closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


# -- the allow-list decides -----------------------------------------------------------------


def test_allowed_loopback_server_is_reached(server: LocalServer, connected) -> None:
    server.route("/hello", Reply(200, {"Content-Type": "application/json"}, b'{"hi": 1}'))
    client = client_for(server.netloc)
    response = client.request("GET", server.url("/hello"), params={"q": "a b", "n": [1, 2]})
    assert response.status == 200
    assert response.json() == {"hi": 1}
    assert response.headers["content-type"] == "application/json"
    assert response.url == server.url("/hello?q=a+b&n=1&n=2")
    assert response.elapsed > 0 and response.attempts == 1
    [seen] = server.requests
    assert seen.path == "/hello?q=a+b&n=1&n=2"
    assert seen.headers["Host"] == server.netloc
    assert seen.headers["User-Agent"].startswith("flowplane")
    assert connected == [("127.0.0.1", server.port)]


def test_loopback_is_blocked_without_the_allowlist(server: LocalServer, connected) -> None:
    client = client_for()
    for url in (
        server.url("/"),
        f"http://2130706433:{server.port}/",
        f"http://0x7f000001:{server.port}/",
        f"http://0177.0.0.1:{server.port}/",
        f"http://127.1:{server.port}/",
        f"http://[::1]:{server.port}/",
        f"http://[::ffff:127.0.0.1]:{server.port}/",
    ):
        with pytest.raises(BlockedDestination):
            client.request("GET", url)
    with pytest.raises((BlockedDestination, InvalidRequest)):  # full-width digits
        client.request("GET", f"http://\uff11\uff12\uff17.\uff10.\uff10.\uff11:{server.port}/")
    assert server.requests == [] and connected == []


def test_allowlist_port_is_exact(server: LocalServer, connected) -> None:
    client = client_for(f"127.0.0.1:{server.port + 1}")
    with pytest.raises(BlockedDestination, match="loopback"):
        client.request("GET", server.url("/"))
    assert connected == []


def test_localhost_resolves_and_is_checked(server: LocalServer, connected) -> None:
    server.route("/", Reply(200, body=b"ok"))
    with pytest.raises(BlockedDestination, match=r"resolves to .*loopback"):
        client_for().request("GET", f"http://localhost:{server.port}/")
    assert connected == []
    # localhost may also resolve to ::1; every address must be allowed
    client = client_for("127.0.0.0/8", "::1")
    response = client.request("GET", f"http://localhost:{server.port}/")
    assert response.body == b"ok"
    assert server.requests[0].headers["Host"] == f"localhost:{server.port}"


def test_a_name_is_resolved_once_and_the_checked_ip_is_used(
    server: LocalServer, connected, monkeypatch
) -> None:
    server.route("/", Reply(200, body=b"partner"))
    resolver = StubResolver({"api.partner.test": ["127.0.0.1"]})
    lookups: list[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def recording_getaddrinfo(host, *args, **kwargs):
        lookups.append(host)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", recording_getaddrinfo)
    client = client_for(server.netloc, resolver=resolver)
    response = client.request("GET", f"http://api.partner.test:{server.port}/")
    assert response.body == b"partner"
    assert resolver.calls == [("api.partner.test", server.port)]
    assert "api.partner.test" not in lookups  # urllib3 connected to the IP, no 2nd lookup
    assert server.requests[0].headers["Host"] == f"api.partner.test:{server.port}"
    assert connected == [("127.0.0.1", server.port)]


def test_dns_rebinding_cannot_swap_the_address(server: LocalServer, connected) -> None:
    """The first answer is allowed; the name then 'rebinds' to a private address."""
    server.route("/", Reply(200, body=b"first"))
    answers = iter([["127.0.0.1"], ["10.0.0.1"], ["10.0.0.1"]])
    calls: list[str] = []

    def rebinding(host: str, port: int) -> list[str]:
        calls.append(host)
        return next(answers)

    client = client_for(server.netloc, resolver=rebinding)
    assert client.request("GET", f"http://rebind.test:{server.port}/").body == b"first"
    assert calls == ["rebind.test"]
    with pytest.raises(BlockedDestination, match=r"10\.0\.0\.1"):
        client.request("GET", f"http://rebind.test:{server.port}/")
    assert connected == [("127.0.0.1", server.port)]


def test_name_allowed_by_host_entry(server: LocalServer, connected) -> None:
    server.route("/", Reply(200, body=b"self-hosted"))
    resolver = StubResolver({"gitlab.internal": ["127.0.0.1"]})
    client = client_for(f"gitlab.internal:{server.port}", resolver=resolver)
    assert client.request("GET", f"http://gitlab.internal:{server.port}/").body == b"self-hosted"
    with pytest.raises(BlockedDestination):
        client.request("GET", server.url("/"))  # the IP itself is not allowed


# -- redirects --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "location",
    [
        "http://10.0.0.1/admin",
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://[::1]/",
        "http://0x7f000001/",
        "http://internal.test/",  # a name that resolves to a private address
        "http://metadata.google.internal/computeMetadata/v1/",
    ],
)
def test_redirect_to_a_private_address_is_blocked_at_the_hop(
    server: LocalServer, connected, location: str
) -> None:
    server.route("/go", Reply(302, {"Location": location}))
    resolver = StubResolver({"internal.test": ["10.1.2.3"]})
    client = client_for(server.netloc, resolver=resolver)
    with pytest.raises(BlockedDestination):
        client.request("GET", server.url("/go"))
    assert [r.path for r in server.requests] == ["/go"]
    assert connected == [("127.0.0.1", server.port)]


@pytest.mark.parametrize(
    "location", ["file:///etc/passwd", "gopher://127.0.0.1/", "ftp://example.com/"]
)
def test_redirect_to_another_scheme_is_blocked(server: LocalServer, location: str) -> None:
    server.route("/go", Reply(301, {"Location": location}))
    with pytest.raises(BlockedDestination, match="scheme"):
        client_for(server.netloc).request("GET", server.url("/go"))


def test_redirect_with_credentials_in_location_is_blocked(server: LocalServer) -> None:
    server.route("/go", Reply(302, {"Location": "http://user:pw@example.com/"}))
    with pytest.raises(BlockedDestination, match="credentials in the URL"):
        client_for(server.netloc).request("GET", server.url("/go"))


def test_redirects_are_capped(server: LocalServer) -> None:
    server.route("/loop", Reply(302, {"Location": "/loop"}))
    client = client_for(server.netloc, max_redirects=5)
    with pytest.raises(TooManyRedirects, match="more than 5 redirects"):
        client.request("GET", server.url("/loop"))
    assert len(server.requests) == 6


def test_redirects_within_allowed_destinations_are_followed(server: LocalServer) -> None:
    server.route("/a", Reply(301, {"Location": "/b?x=1"}))
    server.route("/b", Reply(200, body=b"done"))
    response = client_for(server.netloc).request("GET", server.url("/a"))
    assert response.body == b"done" and response.redirects == 1
    assert response.url.endswith("/b?x=1")
    no_follow = client_for(server.netloc).request("GET", server.url("/a"), allow_redirects=False)
    assert no_follow.status == 301 and no_follow.headers["location"] == "/b?x=1"


def test_303_turns_post_into_get_and_307_keeps_it(server: LocalServer) -> None:
    server.route("/see-other", Reply(303, {"Location": "/target"}))
    server.route("/temporary", Reply(307, {"Location": "/target"}))
    server.route("/target", Reply(200))
    client = client_for(server.netloc)
    client.request("POST", server.url("/see-other"), json={"a": 1})
    client.request("POST", server.url("/temporary"), json={"a": 1})
    methods = [(r.method, r.path, r.body) for r in server.requests]
    assert methods == [
        ("POST", "/see-other", b'{"a": 1}'),
        ("GET", "/target", b""),
        ("POST", "/temporary", b'{"a": 1}'),
        ("POST", "/target", b'{"a": 1}'),
    ]
    assert "Content-Type" not in server.requests[1].headers


def test_credentials_do_not_follow_a_redirect_to_another_origin() -> None:
    with LocalServer() as origin, LocalServer() as elsewhere:
        origin.route("/start", Reply(302, {"Location": elsewhere.url("/landing")}))
        origin.route("/same", Reply(302, {"Location": "/final"}))
        origin.route("/final", Reply(200))
        elsewhere.route("/landing", Reply(200))
        client = client_for(origin.netloc, elsewhere.netloc)

        client.request(
            "GET",
            origin.url("/start"),
            auth_injector=BearerToken("tok-123"),
            headers={"Cookie": "session=abc", "X-Trace": "t1"},
        )
        assert origin.requests[0].headers["Authorization"] == "Bearer tok-123"
        landed = elsewhere.requests[0].headers
        assert "Authorization" not in landed and "Cookie" not in landed
        assert landed["X-Trace"] == "t1"

        client.request("GET", origin.url("/same"), auth_injector=ApiKeyQuery("k-456", "key"))
        assert origin.requests[-1].path == "/final?key=k-456"  # same origin: re-injected


# -- size, timeouts, errors --------------------------------------------------------------------


def test_response_size_cap(server: LocalServer) -> None:
    server.route("/declared", Reply(200, body=b"x" * 2000))
    server.route("/chunked", Reply(200, body=b"y" * 5000, chunked=True))
    server.route("/exact", Reply(200, body=b"z" * 1000, chunked=True))
    bomb = gzip.compress(b"\0" * 5_000_000)
    server.route("/bomb", Reply(200, {"Content-Encoding": "gzip"}, bomb))
    client = client_for(server.netloc, max_response_bytes=1000)
    with pytest.raises(ResponseTooLarge, match="exceeds 1000 bytes"):
        client.request("GET", server.url("/declared"))
    with pytest.raises(ResponseTooLarge):
        client.request("GET", server.url("/chunked"))
    assert client.request("GET", server.url("/exact")).body == b"z" * 1000
    assert len(bomb) < 1_000_000
    with pytest.raises(ResponseTooLarge):
        client.request("GET", server.url("/bomb"), max_response_bytes=100_000)
    # per-call override
    assert len(client.request("GET", server.url("/chunked"), max_response_bytes=5000).body) == 5000


def test_gzip_bodies_are_decoded(server: LocalServer) -> None:
    server.route("/", Reply(200, {"Content-Encoding": "gzip"}, gzip.compress(b"hello" * 100)))
    assert client_for(server.netloc).request("GET", server.url("/")).body == b"hello" * 100


def test_read_timeout(server: LocalServer) -> None:
    server.route("/slow", Reply(200, body=b"late", delay=1.0))
    with pytest.raises(OutboundTimeout, match="timed out"):
        client_for(server.netloc).request("GET", server.url("/slow"), timeout=0.2)


def test_total_deadline(server: LocalServer) -> None:
    server.route("/slow", Reply(200, body=b"late", delay=0.6))
    client = client_for(server.netloc, total_timeout=0.3, timeout=(5, 5))
    with pytest.raises(OutboundTimeout):
        client.request("GET", server.url("/slow"))


def test_connection_refused_is_a_connection_error() -> None:
    port = closed_port()
    with pytest.raises(OutboundConnectionError, match="Connection refused"):
        client_for("127.0.0.1/32").request("GET", f"http://127.0.0.1:{port}/")


def test_http_errors_are_returned_not_raised(server: LocalServer) -> None:
    server.route("/missing", Reply(404, body=b"nope"))
    response = client_for(server.netloc).request("GET", server.url("/missing"))
    assert response.status == 404 and not response.ok and response.text == "nope"


# -- credentials ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("injector", "header", "value", "query"),
    [
        (ApiKeyHeader("k-1"), "X-API-Key", "k-1", ""),
        (
            ApiKeyHeader("k-2", header="Authorization", prefix="Token "),
            "Authorization",
            "Token k-2",
            "",
        ),
        (BearerToken("t-3"), "Authorization", "Bearer t-3", ""),
        (BasicAuth("user", "pässword"), "Authorization", "Basic dXNlcjpww6Rzc3dvcmQ=", ""),
        (ApiKeyQuery("q-4-query-key", param="apikey"), None, None, "?apikey=q-4-query-key"),
    ],
)
def test_auth_injectors(server: LocalServer, injector, header, value, query) -> None:
    server.route("/", Reply(200))
    response = client_for(server.netloc).request("GET", server.url("/"), auth_injector=injector)
    seen = server.requests[0]
    for secret in injector.secrets():
        assert secret not in response.url
    if header:
        assert seen.headers[header] == value
    assert seen.path == "/" + query
    assert response.url == server.url("/" + query.replace("q-4-query-key", "[redacted]"))
    assert "k-1" not in repr(injector) and "t-3" not in repr(injector)
    assert "pässword" not in repr(injector) and "q-4-query-key" not in repr(injector)


def test_secrets_never_reach_errors_or_logs(caplog) -> None:
    secret = "sk_live_0123456789abcdef"
    port = closed_port()
    caplog.set_level(logging.DEBUG)
    client = client_for("127.0.0.1/32")
    with pytest.raises(OutboundConnectionError) as excinfo:
        client.request(
            "GET",
            f"http://127.0.0.1:{port}/v1/charges",
            auth_injector=ApiKeyQuery(secret),
            headers={"X-Request": "1"},
        )
    assert secret not in str(excinfo.value)
    assert excinfo.value.__cause__ is None and excinfo.value.__suppress_context__
    last_error = client.metrics(f"127.0.0.1:{port}").last_error
    assert last_error is not None and secret not in json.dumps(last_error)
    assert secret not in caplog.text
    for record in caplog.records:
        assert secret not in json.dumps(record.__dict__, default=str)


def test_urllib3_debug_log_has_no_query(server: LocalServer, caplog) -> None:
    server.route("/", Reply(200))
    caplog.set_level(logging.DEBUG, logger="urllib3")
    client_for(server.netloc).request("GET", server.url("/"), auth_injector=ApiKeyQuery("s3cr3t"))
    assert "s3cr3t" not in caplog.text
    assert any("GET /?…" in r.getMessage() for r in caplog.records)


def test_bad_headers_are_refused_without_echoing_values(server: LocalServer) -> None:
    client = client_for(server.netloc)
    with pytest.raises(InvalidRequest) as excinfo:
        client.request("GET", server.url("/"), headers={"X-Key": "secret\r\nEvil: 1"})
    assert "secret" not in str(excinfo.value)
    with pytest.raises(InvalidRequest):
        client.request("GET", server.url("/"), headers={"Bad:Name": "v"})
    assert server.requests == []


def test_user_host_header_cannot_override_the_checked_host(server: LocalServer) -> None:
    server.route("/", Reply(200))
    client_for(server.netloc).request("GET", server.url("/"), headers={"Host": "evil.example"})
    assert server.requests[0].headers["Host"] == server.netloc


def test_credentials_in_url_are_refused(server: LocalServer) -> None:
    with pytest.raises(InvalidRequest, match="credentials in the URL"):
        client_for(server.netloc).request("GET", f"http://u:p@{server.netloc}/")


def test_json_and_form_bodies(server: LocalServer) -> None:
    server.route("/", Reply(201))
    client = client_for(server.netloc)
    assert client.post(server.url("/"), json={"name": "x"}).status == 201
    client.request("PUT", server.url("/"), data={"a": "1", "b": "2"})
    first, second = server.requests
    assert json.loads(first.body) == {"name": "x"}
    assert first.headers["Content-Type"] == "application/json"
    assert second.method == "PUT" and second.body == b"a=1&b=2"
    with pytest.raises(InvalidRequest):
        client.post(server.url("/"), json={"x": object()})


def test_no_cookies_are_kept_between_calls(server: LocalServer) -> None:
    server.route("/set", Reply(200, {"Set-Cookie": "sid=1; Path=/"}))
    server.route("/next", Reply(200))
    client = client_for(server.netloc)
    client.get(server.url("/set"))
    client.get(server.url("/next"))
    assert "Cookie" not in server.requests[1].headers


def test_environment_proxies_are_ignored(server: LocalServer, monkeypatch, connected) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://10.9.9.9:3128")
    monkeypatch.setenv("http_proxy", "http://10.9.9.9:3128")
    server.route("/", Reply(200))
    assert client_for(server.netloc).get(server.url("/")).status == 200
    assert connected == [("127.0.0.1", server.port)]


def test_ipv6_destinations_are_pinned_too(connected) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class V6Server(ThreadingHTTPServer):
        address_family = socket.AF_INET6

    class EchoHost(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = self.headers["Host"].encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    try:
        v6 = V6Server(("::1", 0), EchoHost)
    except OSError:
        pytest.skip("no IPv6 loopback here")
    port = v6.server_address[1]
    thread = threading.Thread(target=v6.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        resolver = StubResolver({"v6.test": ["::1"]})
        client = client_for(f"[::1]:{port}", resolver=resolver)
        assert client.get(f"http://[::1]:{port}/").body == f"[::1]:{port}".encode()
        assert client.get(f"http://v6.test:{port}/").body == f"v6.test:{port}".encode()
        with pytest.raises(BlockedDestination):
            client_for(resolver=resolver).get(f"http://v6.test:{port}/")
    finally:
        v6.shutdown()
        v6.server_close()
        thread.join(5)
    assert {address for address, _ in connected} == {"::1"}
