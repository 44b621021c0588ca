"""Shared factories: an authmw configuration, a wrapped app, and a signed-in browser."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import pytest
import webtest

from authmw import Auth, CredentialsProvider, get_session

SECRET = "s" * 32 + "-test-secret"
URL = "http://localhost"

USERS = {
    "alice@example.com": {"id": "1", "name": "Alice", "email": "alice@example.com", "role": "user"},
    "admin@example.com": {
        "id": "2",
        "name": "Admin",
        "email": "admin@example.com",
        "role": "admin",
    },
}
PASSWORDS = {"alice@example.com": "alice-password", "admin@example.com": "admin-password"}


def authorize(credentials: dict[str, str], request: Any) -> dict[str, Any] | None:
    email = credentials.get("email", "")
    if PASSWORDS.get(email) == credentials.get("password"):
        return dict(USERS[email])
    return None


def jwt_with_role(token: dict[str, Any], user: dict[str, Any] | None = None) -> dict[str, Any]:
    if user and "role" in user:
        token["role"] = user["role"]
    return token


def session_with_role(session: dict[str, Any], token: dict[str, Any]) -> dict[str, Any]:
    session["user"]["role"] = token.get("role")
    return session


def credentials_provider(**overrides: Any) -> CredentialsProvider:
    options: dict[str, Any] = {
        "authorize": authorize,
        "credentials": {
            "email": {"label": "Email", "type": "email"},
            "password": {"label": "Password", "type": "password"},
        },
    }
    options.update(overrides)
    return CredentialsProvider(**options)


def echo_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Answers with the session it sees, as JSON."""
    session = get_session(environ)
    body = json.dumps({"path": environ["PATH_INFO"], "session": session}).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]


@pytest.fixture
def make_auth() -> Callable[..., Auth]:
    def factory(**options: Any) -> Auth:
        defaults: dict[str, Any] = {
            "secret": SECRET,
            "url": URL,
            "providers": [credentials_provider()],
            "callbacks": {"jwt": jwt_with_role, "session": session_with_role},
        }
        defaults.update(options)
        return Auth(**defaults)

    return factory


@pytest.fixture
def make_app(make_auth: Callable[..., Auth]) -> Callable[..., webtest.TestApp]:
    def factory(rules: Iterable[Any] = (), app: Any = echo_app, **options: Any) -> webtest.TestApp:
        auth = options.pop("auth", None) or make_auth(**options)
        return webtest.TestApp(auth.wrap(app, rules=rules))

    return factory


@pytest.fixture
def app(make_app: Callable[..., webtest.TestApp]) -> webtest.TestApp:
    return make_app(
        rules=[
            {"path": "/dashboard/**", "signed_in": True},
            {"path": "/admin/**", "roles": ["admin"]},
            {"path": "/api/**", "signed_in": True, "api": True},
        ]
    )


def _csrf_token(app: webtest.TestApp) -> str:
    token: str = app.get("/api/auth/csrf").json["csrfToken"]
    return token


def _sign_in(
    app: webtest.TestApp,
    email: str = "alice@example.com",
    password: str | None = None,
    **extra: str,
) -> webtest.TestResponse:
    """Sign in through the credentials callback, as the built-in form does."""
    params = {
        "csrfToken": _csrf_token(app),
        "email": email,
        "password": PASSWORDS.get(email, "") if password is None else password,
        **extra,
    }
    return app.post("/api/auth/callback/credentials", params, status="*")


@pytest.fixture
def csrf_token() -> Callable[[webtest.TestApp], str]:
    """``csrf_token(app)``: GET /csrf and return the token (the cookie is kept by the app)."""
    return _csrf_token


@pytest.fixture
def sign_in() -> Callable[..., webtest.TestResponse]:
    """``sign_in(app, email=..., password=...)``: POST the credentials callback."""
    return _sign_in


@pytest.fixture
def make_credentials() -> Callable[..., CredentialsProvider]:
    """``make_credentials(authorize=...)``: the test credentials provider with overrides."""
    return credentials_provider
