"""Flask: ``current_session``, ``login_required`` and the documented ``app.wsgi_app`` wrap."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flask
import pytest
import webtest

from authmw.integrations.flask import current_session, current_token, login_required


def build(auth: Any | None) -> flask.Flask:
    app = flask.Flask("flask_test")

    @app.get("/")
    def home() -> Any:
        session = current_session()
        return {"email": session.user["email"] if session else None, "sub": bool(current_token())}

    @app.get("/private")
    @login_required
    def private() -> str:
        return "private"

    @app.get("/staff")
    @login_required(role=["admin", "staff"])
    def staff() -> str:
        return "staff"

    @app.get("/api/data")
    @login_required(api=True)
    def data() -> Any:
        return {"ok": True}

    if auth is not None:
        app.wsgi_app = auth.wrap(app.wsgi_app)  # type: ignore[method-assign]
    return app


@pytest.fixture
def client(make_auth: Callable[..., Any]) -> webtest.TestApp:
    return webtest.TestApp(build(make_auth()))


def test_current_session_anonymous_then_signed_in(client: webtest.TestApp, sign_in: Any) -> None:
    assert client.get("/").json == {"email": None, "sub": False}
    sign_in(client)
    assert client.get("/").json == {"email": "alice@example.com", "sub": True}


def test_login_required_redirects_anonymous_browser(client: webtest.TestApp) -> None:
    response = client.get("/private?x=1", status=302)
    assert response.headers["Location"] == "/api/auth/signin?callbackUrl=%2Fprivate%3Fx%3D1"


def test_login_required_json_clients_and_api_views_get_401(client: webtest.TestApp) -> None:
    assert (
        client.get("/private", headers={"Accept": "application/json"}, status=401).json["error"]
        == "SessionRequired"
    )
    assert client.get("/api/data", status=401).json["error"] == "SessionRequired"


def test_role_any_of(client: webtest.TestApp, sign_in: Any) -> None:
    sign_in(client)
    assert client.get("/private").text == "private"
    assert client.get("/staff", status=403).status_int == 403
    client.reset()
    sign_in(client, "admin@example.com")
    assert client.get("/staff").text == "staff"
    assert client.get("/api/data").json == {"ok": True}


def test_A_NA15_unwrapped_app_fails_closed() -> None:
    app = build(None)
    app.testing = False
    response = webtest.TestApp(app).get("/private", status=500, expect_errors=True)
    assert "private" not in response.text
