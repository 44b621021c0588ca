"""Pyramid: ``config.include("authmw.pyramid")`` wraps the app and sets the security policy."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import webtest
from pyramid.authorization import Allow, Authenticated, Everyone
from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationExecutionError
from pyramid.request import Request
from pyramid.response import Response
from pyramid.router import Router

from authmw import ConfigurationError, Session
from authmw.integrations.pyramid import AuthSecurityPolicy, principals_for, wrap
from tests.support import sign_in

SECRET = "p" * 32 + "-pyramid-secret"
SETTINGS = {
    "authmw.secret": SECRET,
    "authmw.url": "http://localhost",
    "authmw.providers": "examples.common:credentials_provider",
    "authmw.callbacks.jwt": "examples.common:jwt_callback",
    "authmw.callbacks.session": "examples.common:session_callback",
    "authmw.api_prefixes": "/api/",
}


class Root:
    __acl__ = [(Allow, Authenticated, "view"), (Allow, "role:admin", "admin")]

    def __init__(self, request: Request) -> None:
        pass


def who(request: Request) -> dict[str, Any]:
    return {
        "session": request.auth_session["user"]["email"] if request.auth_session else None,
        "identity": request.identity and request.identity["email"],
        "userid": request.authenticated_userid,
        "token": bool(request.auth_token),
    }


def make_config(include: str = "authmw.pyramid", **settings: Any) -> Configurator:
    config = Configurator(settings={**SETTINGS, **settings}, root_factory=Root)
    config.include(include)
    config.add_route("who", "/who")
    config.add_view(who, route_name="who", renderer="json")
    config.add_route("private", "/private")
    config.add_view(lambda r: Response("private"), route_name="private", permission="view")
    config.add_route("admin", "/admin")
    config.add_view(lambda r: Response("admin"), route_name="admin", permission="admin")
    config.add_route("api", "/api/data")
    config.add_view(lambda r: {"ok": True}, route_name="api", permission="view", renderer="json")
    return config


def app(include: str = "authmw.pyramid", **settings: Any) -> webtest.TestApp:
    return webtest.TestApp(make_config(include, **settings).make_wsgi_app())


@pytest.mark.parametrize("include", ["authmw.pyramid", "authmw.integrations.pyramid"])
def test_include_wraps_the_app(include: str) -> None:
    client = app(include)
    assert len(client.get("/api/auth/csrf").json["csrfToken"]) == 64
    assert client.get("/who").json == {
        "session": None,
        "identity": None,
        "userid": None,
        "token": False,
    }
    sign_in(client, status=302)
    assert client.get("/who").json == {
        "session": "alice@example.com",
        "identity": "alice@example.com",
        "userid": "1",
        "token": True,
    }


def test_permissions_and_forbidden_view() -> None:
    client = app()
    location = client.get("/private?a=b", status=302).headers["Location"]
    assert location.endswith("/api/auth/signin?callbackUrl=%2Fprivate%3Fa%3Db")
    assert client.get("/api/data", status=401).json["error"] == "SessionRequired"
    client.get("/private", headers={"Accept": "application/json"}, status=401)
    sign_in(client, status=302)
    assert client.get("/private").text == "private"
    assert client.get("/admin", status=403).content_type == "text/html"
    client.reset()
    sign_in(client, "admin@example.com", status=302)
    assert client.get("/admin").text == "admin"


def test_principals() -> None:
    assert principals_for(None) == [Everyone]
    session = Session({"user": {"id": "7", "role": "admin", "roles": ["x"], "groups": ["ops"]}})
    assert principals_for(session) == [
        Everyone,
        Authenticated,
        "user:7",
        "role:admin",
        "role:x",
        "group:ops",
    ]
    assert principals_for({"error": "Configuration"}) == [Everyone]  # A-NA15: fail closed
    assert principals_for(Session({"user": {}}), {"sub": "s"}) == [
        Everyone,
        Authenticated,
        "user:s",
    ]


def test_remember_and_forget_set_no_headers() -> None:
    policy = AuthSecurityPolicy()
    request = Request.blank("/")
    assert policy.remember(request, "1") == [] and policy.forget(request) == []


def test_rules_from_settings_json() -> None:
    rules = json.dumps([{"path": "/who", "signed_in": True}])
    client = app(**{"authmw.rules": rules})
    client.get("/who", status=302)


def test_rules_from_settings_file_relative_to_here(tmp_path: Any) -> None:
    (tmp_path / "rules.toml").write_text('[[rules]]\npath = "/who"\nsigned_in = true\n')
    client = app(**{"authmw.rules": "rules.toml", "here": str(tmp_path)})
    client.get("/who", status=302)


def test_default_signed_in_from_settings() -> None:
    client = app(**{"authmw.default": "signed_in"})
    client.get("/who", status=302)
    client.get("/api/auth/csrf", status=200)


def test_wrap_false_then_wrap_the_router() -> None:
    config = make_config(**{"authmw.wrap": "false"})
    router = config.make_wsgi_app()
    assert webtest.TestApp(router).get("/api/auth/csrf", status=404)
    client = webtest.TestApp(wrap(router))
    client.get("/api/auth/csrf", status=200)
    client.get("/private", status=302)


def test_wrap_refuses_double_wrapping_and_missing_auth() -> None:
    with pytest.raises(ConfigurationError, match="already wrapped"):
        wrap(make_config())
    bare = Configurator(settings={})
    bare.include("authmw.pyramid")
    with pytest.raises(ConfigurationError, match="no Auth"):
        wrap(Router(bare.registry))


def test_include_without_configuration_stops_start_up() -> None:
    config = Configurator(settings={})
    config.include("authmw.pyramid")
    with pytest.raises(ConfigurationExecutionError, match="not configured"):
        config.make_wsgi_app()


def test_set_auth_directive(make_auth: Callable[..., Any]) -> None:
    config = Configurator(root_factory=Root)
    config.include("authmw.pyramid")
    config.set_auth(make_auth(), rules=[{"path": "/hello", "signed_in": True}])
    config.add_route("hello", "/hello")
    config.add_view(lambda r: Response("hi"), route_name="hello")
    client = webtest.TestApp(config.make_wsgi_app())
    client.get("/hello", status=302)


class DenyAll(AuthSecurityPolicy):
    def permits(self, request: Request, context: Any, permission: str) -> bool:
        return False


def test_policy_and_forbidden_view_can_be_turned_off() -> None:
    config = make_config(**{"authmw.security_policy": "off", "authmw.forbidden_view": "no"})
    config.set_security_policy(DenyAll())
    client = webtest.TestApp(config.make_wsgi_app())
    assert "403 Forbidden" in client.get("/private", status=403).text  # Pyramid's own view
    assert client.get("/who").json["identity"] is None


def test_own_forbidden_view_wins() -> None:
    config = make_config()
    config.add_forbidden_view(lambda exc, request: Response("mine", status=403))
    client = webtest.TestApp(config.make_wsgi_app())
    assert client.get("/private", status=403).text == "mine"


def test_bad_settings_stop_start_up() -> None:
    with pytest.raises(ConfigurationError):
        make_config(**{"authmw.trust_host": "maybe"})
    with pytest.raises(ConfigurationError, match="unknown"):
        make_config(**{"authmw.colour": "blue"})
