"""Local identity providers for the tests, speaking the real protocols over HTTP on 127.0.0.1.

``TestOP`` is an OpenID Connect / OAuth 2 authorization server (webob WSGI app, tokens signed
with joserfc) whose behaviour each test can bend through a few knobs. ``OAuth1Server`` is an
OAuth 1.0a provider built on oauthlib's server endpoints. Both are served by
:func:`tests.support.serve` (werkzeug's threaded server in a background thread).

Test modules import it as ``from tests.providers import idp``; the top conftest's ``op`` and
``oauth1_server`` fixtures serve a fresh one per test.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from joserfc import jws, jwt
from joserfc.jwk import OctKey, RSAKey
from oauthlib.oauth1 import (
    AccessTokenEndpoint,
    AuthorizationEndpoint,
    RequestTokenEndpoint,
    RequestValidator,
    ResourceEndpoint,
)
from webob import Request, Response

from tests.providers.client_assertions import AssertionCheck
from tests.support import csrf_token

CLIENT_ID = "test-client"
CLIENT_SECRET = "a:b%c+d e-secret"  # needs form-encoding in Basic auth (P-C1)


def oidc_provider(op: Any, **options: Any) -> Any:
    """The OpenID Connect provider every flow test signs in with, against the test IdP *op*
    (plain http on loopback, so in development mode); *options* add to or override these."""
    from authmw.providers.oidc import OIDCProvider

    settings: dict[str, Any] = {
        "id": "oidc",
        "name": "Test OP",
        "issuer": op.issuer,
        "allow_loopback_http": True,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "timeout": 2,
    }
    return OIDCProvider(**{**settings, **options})


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def raw_sign(header: dict[str, Any], claims: dict[str, Any], key: RSAKey) -> str:
    """RS256 without a JOSE library's header checks (for headers they refuse, like ``crit``)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
    signature = key.private_key.sign(  # type: ignore[union-attr]
        signing_input.encode(), padding.PKCS1v15(), hashes.SHA256()
    )
    return f"{signing_input}.{b64url(signature)}"


def new_key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"})


_KEYS = [new_key("k1"), new_key("k2"), new_key("attacker")]


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    sub: str
    nonce: str | None
    challenge: str | None
    scope: str


@dataclass
class TestOP:
    """An authorization server with knobs; ``base`` is set once it is served."""

    base: str = ""
    issuer: str = ""
    signing_key: RSAKey = field(default_factory=lambda: _KEYS[0])
    published: list[RSAKey] = field(default_factory=lambda: [_KEYS[0]])
    sub: str = "user-123"
    claims: dict[str, Any] = field(
        default_factory=lambda: {
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "email_verified": True,
            "picture": "https://img.example/ada.png",
        }
    )
    #: extra / replaced id_token claims (``None`` values delete the claim)
    id_token_claims: dict[str, Any] = field(default_factory=dict)
    id_token_header: dict[str, Any] = field(default_factory=dict)
    #: "rs256", "none", "hs256-public", "hs256-secret", "attacker", "jwk-header"
    sign_mode: str = "rs256"
    userinfo: dict[str, Any] | None = None
    #: path -> JSON served to bearer-authenticated GETs (plain OAuth 2 profile APIs)
    api: dict[str, Any] = field(default_factory=dict)
    discovery_extra: dict[str, Any] = field(default_factory=dict)
    iss_param: str | None = None
    authorize_error: str | None = None
    token_status: int = 200
    token_body: bytes | None = None
    token_delay: float = 0.0
    token_extra: dict[str, Any] = field(default_factory=dict)
    with_id_token: bool = True
    expires_in: int | None = 3600
    log: list[tuple[str, str, dict[str, str], dict[str, str]]] = field(default_factory=list)
    grants: dict[str, Grant] = field(default_factory=dict)
    access_tokens: dict[str, str] = field(default_factory=dict)
    refresh_tokens: dict[str, str] = field(default_factory=dict)
    jwks_fetches: int = 0
    #: overrides the client-secret check (e.g. Apple's client-secret JWT)
    secret_check: Callable[[str], bool] | None = None
    #: verifies ``client_assertion`` requests (private_key_jwt, client_secret_jwt)
    assertions: AssertionCheck | None = None
    #: request path -> the OP path serving it (e.g. GitHub's ``/login/oauth/authorize``)
    aliases: dict[str, str] = field(default_factory=dict)

    def requests_to(self, path: str) -> list[tuple[str, str, dict[str, str], dict[str, str]]]:
        return [entry for entry in self.log if entry[1] == path]

    # -- token minting --------------------------------------------------------------------

    def id_token(self, grant: Grant, access_token: str) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": grant.sub,
            "aud": grant.client_id,
            "exp": now + 300,
            "iat": now,
            "at_hash": b64url(hashlib.sha256(access_token.encode()).digest()[:16]),
            **self.claims,
        }
        if grant.nonce is not None:
            claims["nonce"] = grant.nonce
        for key, value in self.id_token_claims.items():
            if value is None:
                claims.pop(key, None)
            else:
                claims[key] = value
        return self.sign(claims)

    def sign(self, claims: dict[str, Any]) -> str:
        key = self.signing_key
        header: dict[str, Any] = {"alg": "RS256", "kid": key.kid, **self.id_token_header}
        payload = json.dumps(claims).encode()
        if self.sign_mode == "none":
            head = b64url(json.dumps({"alg": "none", "kid": key.kid}).encode())
            return f"{head}.{b64url(payload)}."
        if self.sign_mode == "hs256-public":
            # alg confusion: HMAC keyed with the OP's public key PEM (JOSE libraries refuse)
            head = b64url(json.dumps({"alg": "HS256", "kid": key.kid}).encode())
            signing_input = f"{head}.{b64url(payload)}"
            mac = hmac.new(key.as_pem(private=False), signing_input.encode(), hashlib.sha256)
            return f"{signing_input}.{b64url(mac.digest())}"
        if self.sign_mode == "hs256-secret":
            oct_key = OctKey.import_key(CLIENT_SECRET.encode())
            return jws.serialize_compact({"alg": "HS256", "kid": key.kid}, payload, oct_key)
        if self.sign_mode == "attacker":
            return jwt.encode(header, claims, _KEYS[2])
        if self.sign_mode == "jwk-header":
            header = {"alg": "RS256", "jwk": _KEYS[2].as_dict(private=False)}
            return jwt.encode(header, claims, _KEYS[2])
        if "crit" in header:
            return raw_sign(header, claims, key)
        return jwt.encode(header, claims, key)

    # -- WSGI -----------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        environ["PATH_INFO"] = self.aliases.get(path, path)
        request = Request(environ)
        form = dict(request.POST) if request.method == "POST" else {}
        self.log.append(
            (request.method, request.path, dict(request.GET), {**form, **_auth_info(request)})
        )
        handler = {
            "/.well-known/openid-configuration": self.discovery,
            "/jwks": self.jwks,
            "/authorize": self.authorize,
            "/token": self.token,
            "/userinfo": self.userinfo_endpoint,
        }.get(request.path, self.api_endpoint)
        return handler(request, form)(environ, start_response)

    def discovery(self, request: Request, form: dict[str, str]) -> Response:
        return _json(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.base}/authorize",
                "token_endpoint": f"{self.base}/token",
                "userinfo_endpoint": f"{self.base}/userinfo",
                "jwks_uri": f"{self.base}/jwks",
                "response_types_supported": ["code"],
                "id_token_signing_alg_values_supported": ["RS256"],
                **self.discovery_extra,
            }
        )

    def jwks(self, request: Request, form: dict[str, str]) -> Response:
        self.jwks_fetches += 1
        return _json({"keys": [k.as_dict(private=False) for k in self.published]})

    def authorize(self, request: Request, form: dict[str, str]) -> Response:
        q = dict(request.GET)
        assert q.get("response_type") == "code", q
        redirect_uri = q["redirect_uri"]
        out: dict[str, str] = {}
        if self.authorize_error:
            out["error"] = self.authorize_error
        else:
            code = secrets.token_urlsafe(24)
            if q.get("code_challenge"):
                assert q.get("code_challenge_method") == "S256"
            self.grants[code] = Grant(
                client_id=q["client_id"],
                redirect_uri=redirect_uri,
                sub=self.sub,
                nonce=q.get("nonce"),
                challenge=q.get("code_challenge"),
                scope=q.get("scope", ""),
            )
            out["code"] = code
        if "state" in q:
            out["state"] = q["state"]
        if self.iss_param is not None:
            out["iss"] = self.iss_param
        if q.get("response_mode") == "form_post":
            inputs = "".join(
                f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                for k, v in out.items()
            )
            body = f'<form method="post" action="{html.escape(redirect_uri)}">{inputs}</form>'
            return Response(body, content_type="text/html", charset="utf-8")
        response = Response(status=302)
        sep = "&" if "?" in redirect_uri else "?"
        response.location = f"{redirect_uri}{sep}{urlencode(out)}"
        return response

    def _client(self, request: Request, form: dict[str, str]) -> str | None:
        if "client_assertion" in form or "client_assertion_type" in form:
            return self.assertions.client(dict(form)) if self.assertions else None
        header = request.headers.get("Authorization", "")
        if header.startswith("Basic "):
            raw = base64.b64decode(header[6:]).decode()
            user, _, password = raw.partition(":")
            pairs = dict(parse_qsl(f"u={user}&p={password}"))
            if pairs.get("p") == CLIENT_SECRET:
                return pairs["u"]
            return None
        secret = form.get("client_secret", "")
        ok = self.secret_check(secret) if self.secret_check else secret == CLIENT_SECRET
        if ok:
            return form.get("client_id")
        return None

    def token(self, request: Request, form: dict[str, str]) -> Response:
        if self.token_delay:
            time.sleep(self.token_delay)
        if self.token_status != 200 or self.token_body is not None:
            return Response(
                self.token_body or b"", status=self.token_status, content_type="application/json"
            )
        assert "code" not in request.GET and "client_secret" not in request.GET
        client = self._client(request, form)
        if client is None:
            return _json({"error": "invalid_client"}, 401)
        if form.get("grant_type") == "refresh_token":
            sub = self.refresh_tokens.pop(form.get("refresh_token", ""), None)
            if sub is None:
                return _json({"error": "invalid_grant"}, 400)
            grant = Grant(client, "", sub, None, None, "openid")
        else:
            grant = self.grants.pop(form.get("code", ""), None)  # single use
            if grant is None or grant.client_id != client:
                return _json({"error": "invalid_grant"}, 400)
            if form.get("redirect_uri") != grant.redirect_uri:
                return _json({"error": "invalid_grant", "error_description": "redirect"}, 400)
            if grant.challenge is not None:
                verifier = form.get("code_verifier", "")
                if b64url(hashlib.sha256(verifier.encode()).digest()) != grant.challenge:
                    return _json({"error": "invalid_grant", "error_description": "pkce"}, 400)
        access = secrets.token_urlsafe(24)
        refresh = secrets.token_urlsafe(24)
        self.access_tokens[access] = grant.sub
        self.refresh_tokens[refresh] = grant.sub
        body: dict[str, Any] = {
            "access_token": access,
            "token_type": "Bearer",
            "refresh_token": refresh,
        }
        if self.expires_in is not None:
            body["expires_in"] = self.expires_in
        if self.with_id_token and "openid" in grant.scope.split():
            body["id_token"] = self.id_token(grant, access)
        body.update(self.token_extra)
        return _json(body)

    def _bearer(self, request: Request) -> str | None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return None
        return self.access_tokens.get(header[7:])

    def userinfo_endpoint(self, request: Request, form: dict[str, str]) -> Response:
        sub = self._bearer(request)
        if sub is None:
            return _json({"error": "invalid_token"}, 401)
        return _json(self.userinfo if self.userinfo is not None else {"sub": sub, **self.claims})

    def api_endpoint(self, request: Request, form: dict[str, str]) -> Response:
        if request.path not in self.api:
            return Response(b"not found", status=404)
        if self._bearer(request) is None:
            return _json({"message": "Bad credentials"}, 401)
        return _json(self.api[request.path])


def _auth_info(request: Request) -> dict[str, str]:
    header = request.headers.get("Authorization")
    return {"_authorization": header} if header else {}


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data).encode(), status=status, content_type="application/json")


# -- OAuth 1.0a ---------------------------------------------------------------------------

OAUTH1_KEY = "consumer-key-0123456789"
OAUTH1_SECRET = "consumer-secret-0123456789"


class _Validator(RequestValidator):  # type: ignore[misc]
    """Just enough state for a one-user OAuth 1.0a provider."""

    enforce_ssl = False
    dummy_client = "dummy-client-0123456789"
    dummy_request_token = "dummy-request-token-0123"
    dummy_access_token = "dummy-access-token-01234"

    def __init__(self) -> None:
        super().__init__()
        self.request_tokens: dict[str, dict[str, Any]] = {}
        self.access_tokens: dict[str, str] = {}
        self.nonces: set[tuple[str, str]] = set()

    @property
    def safe_characters(self) -> set[str]:
        return set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")

    client_key_length = (10, 60)
    request_token_length = (10, 60)
    access_token_length = (10, 60)
    nonce_length = (10, 60)
    verifier_length = (10, 60)

    def validate_client_key(self, client_key: str, request: Any) -> bool:
        return client_key == OAUTH1_KEY

    def get_client_secret(self, client_key: str, request: Any) -> str:
        return OAUTH1_SECRET

    def validate_timestamp_and_nonce(self, client_key: str, ts: str, nonce: str, *rest: Any,
                                     **kw: Any) -> bool:  # fmt: skip
        key = (ts, nonce)
        if key in self.nonces:
            return False
        self.nonces.add(key)
        return True

    def validate_requested_realms(self, client_key: str, realms: Any, request: Any) -> bool:
        return True

    def validate_redirect_uri(self, client_key: str, redirect_uri: str, request: Any) -> bool:
        return redirect_uri.startswith("http://localhost/")

    def get_default_realms(self, client_key: str, request: Any) -> list[str]:
        return []

    def save_request_token(self, token: dict[str, Any], request: Any) -> None:
        self.request_tokens[token["oauth_token"]] = {
            "secret": token["oauth_token_secret"],
            "callback": request.redirect_uri,
        }

    def verify_request_token(self, token: str, request: Any) -> bool:
        return token in self.request_tokens

    def get_redirect_uri(self, token: str, request: Any) -> str:
        return str(self.request_tokens[token]["callback"])

    def save_verifier(self, token: str, verifier: dict[str, str], request: Any) -> None:
        self.request_tokens[token]["verifier"] = verifier["oauth_verifier"]

    def get_realms(self, token: str, request: Any) -> list[str]:
        return []

    def validate_request_token(self, client_key: str, token: str, request: Any) -> bool:
        return token in self.request_tokens

    def get_request_token_secret(self, client_key: str, token: str, request: Any) -> str:
        entry = self.request_tokens.get(token)
        return str(entry["secret"]) if entry else "dummy"

    def validate_verifier(self, client_key: str, token: str, verifier: str, request: Any) -> bool:
        entry = self.request_tokens.get(token)
        return bool(entry) and entry.get("verifier") == verifier  # type: ignore[union-attr]

    def invalidate_request_token(self, client_key: str, token: str, request: Any) -> None:
        self.request_tokens.pop(token, None)

    def save_access_token(self, token: dict[str, Any], request: Any) -> None:
        self.access_tokens[token["oauth_token"]] = token["oauth_token_secret"]

    def validate_access_token(self, client_key: str, token: str, request: Any) -> bool:
        return token in self.access_tokens

    def get_access_token_secret(self, client_key: str, token: str, request: Any) -> str:
        return self.access_tokens.get(token, "dummy")

    def validate_realms(self, *args: Any, **kwargs: Any) -> bool:
        return True


class OAuth1Server:
    """Request token, authorize (auto-consent), access token and a profile endpoint."""

    def __init__(self, profile: dict[str, Any] | None = None) -> None:
        self.validator = _Validator()
        self.profile = profile or {
            "id_str": "4242",
            "name": "Grace Hopper",
            "email": "grace@example.com",
            "profile_image_url_https": "https://img.example/grace.png",
        }
        self.log: list[str] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        self.log.append(request.path)
        uri = request.url
        body = request.body.decode() if request.method == "POST" else None
        headers = {k: v for k, v in request.headers.items()}
        v = self.validator
        if request.path == "/oauth/request_token":
            h, b, s = RequestTokenEndpoint(v).create_request_token_response(
                uri, request.method, body, headers
            )
        elif request.path == "/oauth/authenticate":
            h, b, s = AuthorizationEndpoint(v).create_authorization_response(uri)
        elif request.path == "/oauth/access_token":
            h, b, s = AccessTokenEndpoint(v).create_access_token_response(
                uri, request.method, body, headers
            )
        elif request.path == "/1.1/account/verify_credentials.json":
            ok, _ = ResourceEndpoint(v).validate_protected_resource_request(
                uri, request.method, body, headers
            )
            h, b, s = {}, json.dumps(self.profile) if ok else "{}", 200 if ok else 401
            h["Content-Type"] = "application/json"
        else:
            h, b, s = {}, "not found", 404
        response = Response(status=s, body=(b or "").encode())
        for key, value in h.items():
            response.headers[key] = value
        return response(environ, start_response)


def split(url: str) -> tuple[str, dict[str, str]]:
    """``(path, query dict)`` of an absolute URL."""
    parts = urlsplit(url)
    return parts.path, dict(parse_qsl(parts.query, keep_blank_values=True))


# -- browser-style helpers for WebTest apps ------------------------------------------------

SECRET = "x" * 32


def echo_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
    """Answers with the session and token it sees, as JSON."""
    from authmw import get_session, get_token

    body = json.dumps(
        {"session": get_session(environ), "token": get_token(environ)}, default=str
    ).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]


def make_app(providers: list[Any], **options: Any) -> Any:
    """A WebTest app wrapping :func:`echo_app` with these providers."""
    import webtest

    from authmw import Auth

    options.setdefault("secret", SECRET)
    auth = Auth(url="http://localhost", providers=providers, **options)
    return webtest.TestApp(auth.wrap(echo_app))


def start(app: Any, provider_id: str, **form: str) -> Any:
    """POST /signin/<id> with a valid CSRF token; returns the response (302 to the IdP)."""
    return app.post(f"/api/auth/signin/{provider_id}", {"csrfToken": csrf_token(app), **form})


def consent(location: str) -> str:
    """Follow the IdP's authorization redirect like a browser; return the callback URL."""
    import requests

    answer = requests.get(location, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text[:300]
    return str(answer.headers["Location"])


def callback_path(url: str) -> str:
    """The path + query of an absolute callback URL on http://localhost."""
    parts = urlsplit(url)
    assert parts.netloc == "localhost", url
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def error_of(response: Any) -> str | None:
    """The ``error`` query value of a redirect, if any."""
    location = response.headers.get("Location", "")
    return dict(parse_qsl(urlsplit(location).query)).get("error")


def session_of(app: Any) -> Any:
    return app.get("/api/auth/session").json


def sign_in(app: Any, provider_id: str, **form: str) -> Any:
    """The whole flow; returns the callback response."""
    response = start(app, provider_id, **form)
    assert response.status_int == 302, response
    return app.get(callback_path(consent(response.headers["Location"])), expect_errors=True)
