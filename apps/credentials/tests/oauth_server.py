"""A real OAuth2 authorization server on 127.0.0.1 for tests, built with Authlib on Flask.

Authorization code (+ PKCE required), refresh token (rotating: each refresh revokes the old
refresh token) and client credentials grants, with bearer tokens checked by a small protected
resource (``/api/me``) and a Slack-like resource that reports expiry in a 200 body
(``/api/slack``). Clients authenticate with ``client_secret_basic`` or ``client_secret_post``.

The consent page auto-approves for user ``alice`` (a test plays the browser: it GETs the
authorization URL and reads the ``Location`` of the redirect back to the platform).
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7636 import CodeChallenge
from flask import Flask, jsonify, request
from werkzeug.serving import make_server


@dataclass
class Client:
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    scope: str = "read write"
    auth_method: str = "client_secret_basic"
    grant_types: tuple[str, ...] = ("authorization_code", "refresh_token", "client_credentials")

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        if not scope:
            return ""
        allowed = set(self.scope.split())
        return " ".join(s for s in scope.split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == self.auth_method

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.grant_types


@dataclass
class AuthCode:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: str
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: float = field(default_factory=time.time)

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> None:
        return None

    def get_auth_time(self) -> float:
        return self.auth_time


@dataclass
class Token:
    client_id: str
    user: str | None
    access_token: str
    refresh_token: str | None
    scope: str
    expires_in: int
    issued_at: float = field(default_factory=time.time)
    revoked: bool = False

    def check_client(self, client: Client) -> bool:
        return self.client_id == client.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_in

    def is_expired(self) -> bool:
        return time.time() >= self.issued_at + self.expires_in

    def is_revoked(self) -> bool:
        return self.revoked

    def get_user(self) -> str | None:
        return self.user

    def get_client(self) -> Client:
        raise NotImplementedError


class OAuthProvider:
    """The server and its state; ``with OAuthProvider() as p:`` runs it on a free port."""

    def __init__(self, *, access_ttl: int = 3600) -> None:
        self.clients: dict[str, Client] = {}
        self.codes: dict[str, AuthCode] = {}
        self.tokens: list[Token] = []
        self.token_requests: list[dict[str, Any]] = []
        self.access_ttl = access_ttl
        self.slack_expired: set[str] = set()  # access tokens /api/slack reports as expired
        self.token_delay = 0.0  # seconds the token endpoint takes (to overlap two callers)
        self.api_tokens: list[str] = []  # the access token of each /api/me call
        self.lock = threading.Lock()
        self.app = self._build()
        self._server: Any = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --
    def __enter__(self) -> OAuthProvider:
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def port(self) -> int:
        return int(self._server.server_port)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def add_client(self, **kwargs: Any) -> Client:
        client = Client(**kwargs)
        self.clients[client.client_id] = client
        return client

    def token(self, access_token: str) -> Token | None:
        return next((t for t in self.tokens if t.access_token == access_token), None)

    def revoke_refresh_tokens(self) -> None:
        for token in self.tokens:
            token.revoked = True

    def grants_issued(self, grant_type: str) -> int:
        return sum(
            1 for r in self.token_requests if r.get("grant_type") == grant_type and r.get("issued")
        )

    # -- app --
    def _build(self) -> Flask:
        app = Flask("test-oauth-provider")
        app.config["OAUTH2_ACCESS_TOKEN_GENERATOR"] = True
        provider = self

        def save_token(token: dict[str, Any], req: Any) -> None:
            with provider.lock:
                provider.tokens.append(
                    Token(
                        client_id=req.client.client_id,
                        user=req.user if isinstance(req.user, str) else None,
                        access_token=token["access_token"],
                        refresh_token=token.get("refresh_token"),
                        scope=token.get("scope", ""),
                        expires_in=token["expires_in"],
                    )
                )

        server = AuthorizationServer(app, query_client=self.clients.get, save_token=save_token)
        server.register_token_generator("default", _generator(lambda: provider.access_ttl))

        class CodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code: str, req: Any) -> AuthCode:
                item = AuthCode(
                    code=code,
                    client_id=req.client.client_id,
                    redirect_uri=req.payload.redirect_uri,
                    scope=req.payload.scope or "",
                    user=req.user,
                    code_challenge=req.payload.data.get("code_challenge"),
                    code_challenge_method=req.payload.data.get("code_challenge_method"),
                )
                provider.codes[code] = item
                return item

            def query_authorization_code(self, code: str, client: Client) -> AuthCode | None:
                item = provider.codes.get(code)
                return item if item and item.client_id == client.client_id else None

            def delete_authorization_code(self, item: AuthCode) -> None:
                provider.codes.pop(item.code, None)

            def authenticate_user(self, item: AuthCode) -> str:
                return item.user

        class RefreshGrant(grants.RefreshTokenGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
            INCLUDE_NEW_REFRESH_TOKEN = True

            def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
                for token in provider.tokens:
                    if token.refresh_token == refresh_token and not token.revoked:
                        return token
                return None

            def authenticate_user(self, token: Token) -> str | None:
                return token.user

            def revoke_old_credential(self, token: Token) -> None:
                token.revoked = True

        class ClientGrant(grants.ClientCredentialsGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

        server.register_grant(CodeGrant, [CodeChallenge(required=True)])
        server.register_grant(RefreshGrant)
        server.register_grant(ClientGrant)

        class Validator(BearerTokenValidator):
            def authenticate_token(self, token_string: str) -> Token | None:
                return provider.token(token_string)

        protect = ResourceProtector()
        protect.register_token_validator(Validator())

        @app.route("/authorize")
        def authorize() -> Any:
            return server.create_authorization_response(grant_user="alice")

        @app.route("/token", methods=["POST"])
        def issue_token() -> Any:
            received = time.time()
            time.sleep(provider.token_delay)
            response = server.create_token_response()
            record = dict(request.form)
            record["received_at"] = received
            record.pop("client_secret", None)
            record["issued"] = response.status_code == 200
            record["status"] = response.status_code
            record["authorization"] = request.headers.get("Authorization", "")
            provider.token_requests.append(record)
            return response

        @app.route("/api/me")
        @protect()
        def me() -> Any:
            from authlib.integrations.flask_oauth2 import current_token

            provider.api_tokens.append(current_token.access_token)
            return jsonify({"user": current_token.user, "client": current_token.client_id})

        @app.route("/api/slack")
        def slack() -> Any:
            header = request.headers.get("Authorization", "")
            token = provider.token(header.removeprefix("Bearer "))
            if token is None or token.is_revoked() or token.access_token in provider.slack_expired:
                return jsonify({"ok": False, "error": "token_expired"})
            return jsonify({"ok": True, "user": token.user})

        return app


def _generator(ttl: Any) -> Any:
    from authlib.common.security import generate_token
    from authlib.oauth2.rfc6750 import BearerTokenGenerator

    return BearerTokenGenerator(
        access_token_generator=lambda *a, **k: generate_token(42),
        refresh_token_generator=lambda *a, **k: generate_token(48),
        expires_generator=lambda client, grant_type: ttl(),
    )
