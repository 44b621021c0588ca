"""Bottle: ``AuthPlugin`` injects the session; ``auth_required`` protects routes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import bottle
import pytest
import webtest

from authmw.integrations.bottle import AuthPlugin, auth_required


def build(auth: Any, *, wrap: bool = True) -> Any:
    app = bottle.Bottle(catchall=True)
    app.install(AuthPlugin(auth))

    @app.get("/")
    def home(session: Any) -> dict[str, Any]:
        return {"email": session.user["email"] if session else None}

    @app.get("/environ")
    def environ() -> dict[str, Any]:
        return {"has": bottle.request.environ.get("auth.session") is not None}

    @app.get("/private")
    @auth_required
    def private(session: Any) -> str:
        return "private " + session.user["email"]

    @app.get("/admin")
    @auth_required(role="admin")
    def admin() -> str:
        return "admin"

    @app.get("/api/data")
    @auth_required(api=True)
    def data() -> dict[str, Any]:
        return {"ok": True}

    return auth.wrap(app) if wrap else app


@pytest.fixture
def client(make_auth: Callable[..., Any]) -> webtest.TestApp:
    return webtest.TestApp(build(make_auth()))


def test_plugin_injects_session_keyword(client: webtest.TestApp, sign_in: Any) -> None:
    assert client.get("/").json == {"email": None}
    assert client.get("/environ").json == {"has": False}
    sign_in(client)
    assert client.get("/").json == {"email": "alice@example.com"}
    assert client.get("/environ").json == {"has": True}
    assert client.get("/private").text == "private alice@example.com"


def test_auth_required(client: webtest.TestApp, sign_in: Any) -> None:
    assert client.get("/private", status=302).headers["Location"] == (
        "/api/auth/signin?callbackUrl=%2Fprivate"
    )
    assert client.get("/api/data", status=401).json["error"] == "SessionRequired"
    sign_in(client)
    client.get("/admin", status=403)
    assert (
        client.get("/admin", headers={"Accept": "application/json"}, status=403).json["error"]
        == "AccessDenied"
    )
    client.reset()
    sign_in(client, "admin@example.com")
    assert client.get("/admin").text == "admin"


def test_plugin_leaves_routes_without_the_keyword_alone(make_auth: Callable[..., Any]) -> None:
    plugin = AuthPlugin(make_auth())
    route = bottle.Route(bottle.Bottle(), "/", "GET", lambda: "x")
    callback = route.call
    assert plugin.apply(callback, route) is callback


def test_plugin_setup_refuses_a_second_session_provider(make_auth: Callable[..., Any]) -> None:
    app = bottle.Bottle()
    app.install(AuthPlugin(make_auth()))
    with pytest.raises(bottle.PluginError):
        app.install(AuthPlugin(make_auth()))
    app.install(AuthPlugin(make_auth(), keyword="auth_session"))


def test_A_NA15_unwrapped_app_fails_closed(make_auth: Callable[..., Any]) -> None:
    client = webtest.TestApp(build(make_auth(), wrap=False))
    assert "alice" not in client.get("/", status=500, expect_errors=True).text
    client.get("/admin", status=500, expect_errors=True)
