"""Answers next-auth v4's browser client reads, as NextAuth v4 gives them (WebTest).

The same behaviour is driven through the real client in tests/browser/client.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import webtest

from authmw import CredentialsProvider

ERROR_URL = "http://localhost/api/auth/error?error=CredentialsSignin&provider=credentials"


def _post_credentials(app: webtest.TestApp, password: str, **extra: str) -> webtest.TestResponse:
    token = app.get("/api/auth/csrf").json["csrfToken"]
    form = {"csrfToken": token, "email": "alice@example.com", "password": password, **extra}
    return app.post("/api/auth/callback/credentials", form, status="*")


def test_refused_credentials_with_json_answer_401_and_the_error_endpoint_url(
    app: webtest.TestApp,
) -> None:
    response = _post_credentials(app, "wrong", json="true")
    assert response.status_int == 401
    assert response.json == {"url": ERROR_URL}
    assert "authmw.session-token" not in app.cookies
    # That URL leads where NextAuth's does: the sign-in page with the code.
    followed = app.get(ERROR_URL.removeprefix("http://localhost"), status=302)
    assert followed.location == "http://localhost/api/auth/signin?error=CredentialsSignin"


def test_refused_credentials_with_the_v5_return_redirect_header_answer_the_same(
    app: webtest.TestApp,
) -> None:
    token = app.get("/api/auth/csrf").json["csrfToken"]
    response = app.post(
        "/api/auth/callback/credentials",
        {"csrfToken": token, "email": "alice@example.com", "password": "wrong"},
        headers={"X-Auth-Return-Redirect": "1"},
        status=401,
    )
    assert response.json == {"url": ERROR_URL}


def test_refused_credentials_without_json_still_redirect_to_the_sign_in_page(
    app: webtest.TestApp,
) -> None:
    response = _post_credentials(app, "wrong")
    assert response.status_int == 302
    assert response.location == "http://localhost/api/auth/signin?error=CredentialsSignin"


def test_authorize_raising_answers_the_same_url_without_its_message(make_app: Any) -> None:
    def authorize(credentials: dict[str, str], request: Any) -> None:
        raise RuntimeError("<b>database down</b>")

    app = make_app(providers=[CredentialsProvider(authorize=authorize, credentials={"email": {}})])
    response = _post_credentials(app, "x", json="true")
    assert (response.status_int, response.json) == (401, {"url": ERROR_URL})


@pytest.mark.parametrize(
    ("user_image", "session_user"),
    [
        ({}, {"name": "Alice", "email": "alice@example.com"}),
        ({"image": None}, {"name": "Alice", "email": "alice@example.com", "image": None}),
        (
            {"image": "https://img.example/a.png"},
            {"name": "Alice", "email": "alice@example.com", "image": "https://img.example/a.png"},
        ),
    ],
    ids=["no-image-key", "image-null", "image-url"],
)
def test_session_user_image_follows_the_users_image(
    make_app: Callable[..., webtest.TestApp],
    user_image: dict[str, Any],
    session_user: dict[str, Any],
) -> None:
    """NextAuth v4: token ``picture = user.image``, session ``image = token.picture``; JSON
    drops an undefined value, so a user without ``image`` has no ``image`` key in the session,
    while ``null`` stays ``null``."""

    def authorize(credentials: dict[str, str], request: Any) -> dict[str, Any]:
        return {"id": "1", "name": "Alice", "email": "alice@example.com", **user_image}

    provider = CredentialsProvider(
        authorize=authorize, credentials={"email": {}, "password": {"type": "password"}}
    )
    app = make_app(providers=[provider], callbacks={})
    assert _post_credentials(app, "x").status_int == 302
    session = app.get("/api/auth/session").json
    assert session["user"] == session_user


def test_session_update_answers_the_session_the_jwt_callback_made(
    make_app: Callable[..., webtest.TestApp],
) -> None:
    """``update(data)`` in the client: a JSON POST of ``{csrfToken, data}`` to ``/session``."""
    seen: list[tuple[str | None, Any]] = []

    def jwt(token: dict[str, Any], trigger: str | None = None, session: Any = None) -> Any:
        seen.append((trigger, session))
        if trigger == "update":
            token["name"] = session["name"]
        return token

    app = make_app(callbacks={"jwt": jwt})
    assert _post_credentials(app, "alice-password").status_int == 302
    token = app.get("/api/auth/csrf").json["csrfToken"]
    response = app.post_json("/api/auth/session", {"csrfToken": token, "data": {"name": "Al"}})
    assert response.json["user"] == {"name": "Al", "email": "alice@example.com"}
    assert seen[-1] == ("update", {"name": "Al"})
    assert app.get("/api/auth/session").json["user"]["name"] == "Al"


def test_session_update_when_signed_out_answers_an_empty_session(
    make_app: Callable[..., webtest.TestApp],
) -> None:
    """``update()`` from a tab whose session has ended: ``{}``, as ``GET /session`` answers."""
    app = make_app()
    token = app.get("/api/auth/csrf").json["csrfToken"]
    response = app.post_json("/api/auth/session", {"csrfToken": token, "data": {"name": "Al"}})
    assert response.status_int == 200 and response.json == {}
    assert "authmw.session-token" not in app.cookies
