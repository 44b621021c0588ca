"""One situation, one answer: the rules, the auth endpoints and every framework decorator.

The decision (``authmw.rules.decide``), the answer (``authmw.rules.responses.denial``) and the
reading of ``Accept`` (``authmw.util.negotiation``) each have one home; these tests pin that a
rule, Flask's ``login_required``, Bottle's ``auth_required``, the shared ``check`` behind the
Django and Pyramid helpers and the auth endpoints answer alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import bottle
import flask
import pytest
import webtest

from authmw.adapters import AdapterUnavailable
from authmw.integrations._access import check
from authmw.integrations.bottle import auth_required
from authmw.integrations.flask import login_required
from authmw.providers.presets import GitHub
from tests.support import sign_in

MIXED = "application/json, text/html;q=0.1"  # JSON first, HTML acceptable
TOKEN = "A" * 43  # a well-formed database session token (never stored)


class DownAdapter:
    """Every call fails as a database that cannot be reached."""

    def __getattr__(self, name: str) -> Any:
        def unavailable(*args: Any, **kwargs: Any) -> Any:
            raise AdapterUnavailable("down")

        return unavailable


def _page(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"the protected page"]


def _check_app(role: str | None) -> Callable[..., Any]:
    """The decision every decorator delegates to, as a bare WSGI app (Django, Pyramid)."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        denial = check(environ, roles=[role] if role else None)
        if denial is None:
            return _page(environ, start_response)
        start_response(denial.status_line, denial.headers)
        return [denial.body]

    return app


def _flask(role: str | None) -> Any:
    app = flask.Flask("uniform")

    @app.get("/private")
    @login_required(role=role)
    def private() -> str:
        return "the protected page"

    return app.wsgi_app


def _bottle(role: str | None) -> Any:
    app = bottle.Bottle()

    @app.get("/private")
    @auth_required(role=role)
    def private() -> str:
        return "the protected page"

    return app


def _rules(role: str | None) -> tuple[Any, list[dict[str, Any]]]:
    rule: dict[str, Any] = {"path": "/private", "signed_in": True}
    if role:
        rule = {"path": "/private", "roles": [role]}
    return _page, [rule]


FRONTS = ["rules", "flask", "bottle", "check"]


def build(auth: Any, front: str, role: str | None = None) -> webtest.TestApp:
    if front == "rules":
        app, rules = _rules(role)
        return webtest.TestApp(auth.wrap(app, rules=rules))
    inner = {"flask": _flask, "bottle": _bottle, "check": _check_app}[front](role)
    return webtest.TestApp(auth.wrap(inner))


@pytest.fixture
def down_auth(make_auth: Callable[..., Any]) -> Any:
    return make_auth(adapter=DownAdapter(), session={"strategy": "database"})


@pytest.mark.parametrize("front", FRONTS)
def test_R_7_store_down_is_503_for_a_browser_everywhere(down_auth: Any, front: str) -> None:
    app = build(down_auth, front)
    app.set_cookie("authmw.session-token", TOKEN)
    response = app.get("/private", headers={"Accept": "text/html"}, status=503)
    assert response.headers["Retry-After"] == "5"
    assert b"the protected page" not in response.body


@pytest.mark.parametrize("front", FRONTS)
def test_R_7_store_down_is_503_json_for_json_clients_everywhere(down_auth: Any, front: str) -> None:
    app = build(down_auth, front)
    app.set_cookie("authmw.session-token", TOKEN)
    response = app.get("/private", headers={"Accept": MIXED}, status=503)
    assert response.json["error"] == "SessionUnavailable"


def test_R_7_store_down_session_endpoint_is_503_json(down_auth: Any) -> None:
    app = build(down_auth, "rules")
    app.set_cookie("authmw.session-token", TOKEN)
    response = app.get("/api/auth/session", headers={"Accept": MIXED}, status=503)
    assert response.json == {"error": "Configuration"}


@pytest.mark.parametrize("front", FRONTS)
def test_json_first_accept_gets_401_json_everywhere(make_auth: Any, front: str) -> None:
    app = build(make_auth(), front)
    response = app.get("/private", headers={"Accept": MIXED}, status=401)
    assert response.json["error"] == "SessionRequired"
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="authmw"'


@pytest.mark.parametrize("front", FRONTS)
def test_html_first_accept_goes_to_sign_in_everywhere(make_auth: Any, front: str) -> None:
    app = build(make_auth(), front)
    accept = "text/html, application/json;q=0.1"
    response = app.get("/private?x=1", headers={"Accept": accept}, status=302)
    assert response.headers["Location"] == "/api/auth/signin?callbackUrl=%2Fprivate%3Fx%3D1"


def test_json_first_accept_gets_json_from_the_auth_endpoints(make_auth: Any) -> None:
    github = GitHub(client_id="id", client_secret="secret")
    app = build(make_auth(providers=[github]), "rules")
    response = app.get("/api/auth/callback/github", headers={"Accept": MIXED}, status=400)
    assert response.json == {"error": "OAuthCallback"}
    browser = app.get("/api/auth/callback/github", headers={"Accept": "text/html"}, status=302)
    assert "error=OAuthCallback" in browser.headers["Location"]


@pytest.mark.parametrize("front", FRONTS)
def test_signed_in_without_the_role_is_403_everywhere(make_auth: Any, front: str) -> None:
    app = build(make_auth(), front, role="admin")
    sign_in(app)
    assert app.get("/private", headers={"Accept": MIXED}, status=403).json == {
        "error": "AccessDenied",
        "message": "You do not have permission to access this resource.",
    }
    page = app.get("/private", headers={"Accept": "text/html"}, status=403)
    assert page.content_type == "text/html"


def test_R_7_pyramid_forbidden_view_answer_is_503_when_the_store_is_down(make_auth: Any) -> None:
    """Pyramid's forbidden view answers through ``deny``: the same 503 as a rule."""
    from authmw.integrations._access import deny

    environ = {
        "PATH_INFO": "/private",
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "authmw.auth": make_auth(),
        "auth.session": None,
        "auth.session_unavailable": True,
    }
    assert deny(environ, signed_in=False).status == 503
    assert deny({**environ, "HTTP_ACCEPT": MIXED}, signed_in=False).status_line == (
        "503 Service Unavailable"
    )
