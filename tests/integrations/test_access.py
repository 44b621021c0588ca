"""The decisions every framework decorator shares (authmw/integrations/_access.py)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from authmw import ConfigurationError, Session
from authmw.integrations._access import (
    as_roles,
    check,
    current_url,
    deny,
    groups_of,
    roles_of,
    sign_in_location,
    user_id,
    wants_json,
)

ALICE = Session({"user": {"id": "1", "email": "alice@example.com", "role": "user"}})
ADMIN = Session({"user": {"id": "2", "email": "admin@example.com", "roles": ["admin", "staff"]}})


def environ(
    path: str = "/page", *, session: Any = None, auth: Any = None, **extra: Any
) -> dict[str, Any]:
    env: dict[str, Any] = {"PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": ""}
    env.update({"auth.session": session, "authmw.auth": auth})
    env.update(extra)
    return env


@pytest.fixture
def auth(make_auth: Any) -> Any:
    return make_auth()


def test_roles_of_reads_role_roles_and_groups() -> None:
    assert roles_of(ALICE) == {"user"}
    assert roles_of(ADMIN) == {"admin", "staff"}
    assert roles_of(Session({"user": {"role": "", "roles": ["ops", 3, ""]}})) == {"ops"}
    assert groups_of(Session({"user": {"groups": ["ops", 3, ""]}})) == {"ops"}
    assert groups_of(Session({"user": {}})) == frozenset()
    assert roles_of(None) == frozenset()
    assert roles_of({"user": "not a dict"}) == frozenset()


def test_user_id_prefers_session_id_then_token_sub() -> None:
    assert user_id(ALICE) == "1"
    assert user_id(Session({"user": {}}), {"sub": "abc"}) == "abc"
    assert user_id(Session({"user": {"id": ""}}), {"sub": ""}) is None
    assert user_id(None) is None


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"HTTP_ACCEPT": "application/json"}, True),
        ({"HTTP_ACCEPT": "text/html;q=0.5, application/json"}, True),
        ({"HTTP_ACCEPT": "text/html,application/json"}, False),
        ({"HTTP_ACCEPT": "*/*"}, False),
        ({}, False),
    ],
)
def test_wants_json(headers: dict[str, str], expected: bool) -> None:
    assert wants_json(environ(**headers)) is expected


def test_P_G1_callback_url_is_always_a_relative_path() -> None:
    assert current_url(environ("//evil.example/x")) == "/evil.example/x"
    assert current_url(environ("/a b", QUERY_STRING="q=1")) == "/a%20b?q=1"
    assert current_url(environ("/x", SCRIPT_NAME="/app")) == "/app/x"


def test_sign_in_location_uses_pages_sign_in(make_auth: Any) -> None:
    custom = make_auth(pages={"sign_in": "/login?next=1"})
    location = urlsplit(sign_in_location(custom, environ("/dashboard")))
    assert location.path == "/login"
    assert parse_qs(location.query) == {"next": ["1"], "callbackUrl": ["/dashboard"]}


def test_anonymous_is_sent_to_sign_in_with_callback_url(auth: Any) -> None:
    denial = check(environ("/dashboard", QUERY_STRING="tab=2", auth=auth))
    assert denial is not None and denial.status == 302
    location = urlsplit(dict(denial.headers)["Location"])
    assert location.path == "/api/auth/signin"
    assert parse_qs(location.query) == {"callbackUrl": ["/dashboard?tab=2"]}


def test_anonymous_api_gets_401_json(auth: Any) -> None:
    denial = check(environ(auth=auth), api=True)
    assert denial is not None and denial.status == 401 and denial.status_line == "401 Unauthorized"
    assert dict(denial.headers)["Content-Type"] == "application/json"
    assert json.loads(denial.body)["error"] == "SessionRequired"


def test_roles(auth: Any) -> None:
    assert check(environ(session=ALICE, auth=auth)) is None
    assert check(environ(session=ADMIN, auth=auth), roles={"admin"}) is None
    denied = check(environ(session=ALICE, auth=auth), roles={"admin"})
    assert denied is not None and denied.status == 403
    as_json = check(environ(session=ALICE, auth=auth, HTTP_ACCEPT="application/json"), roles={"x"})
    assert as_json is not None and json.loads(as_json.body)["error"] == "AccessDenied"


def test_as_roles() -> None:
    assert as_roles(None) is None
    assert as_roles("admin") == {"admin"}
    assert as_roles(["a", "b"]) == {"a", "b"}


def test_roles_is_the_rules_spelling_and_role_is_accepted() -> None:
    assert as_roles(None, ["admin", "staff"]) == frozenset({"admin", "staff"})
    assert as_roles("admin") == as_roles(None, ["admin"])
    with pytest.raises(ConfigurationError, match="not both"):
        as_roles("admin", ["admin"])
    with pytest.raises(ConfigurationError, match="list of names"):
        as_roles(None, "admin")  # type: ignore[arg-type]


@pytest.mark.parametrize("framework", ["flask", "bottle", "django"])
def test_every_decorator_takes_roles_as_the_rules_do(framework: str) -> None:
    import importlib

    module = importlib.import_module(f"authmw.integrations.{framework}")
    decorator = module.login_required if framework == "flask" else module.auth_required
    with pytest.raises(ConfigurationError, match="not both"):
        decorator(role="admin", roles=["admin"])
    assert callable(decorator(roles=["admin"]))


def test_A_NA15_without_the_middleware_nothing_is_allowed() -> None:
    with pytest.raises(ConfigurationError, match=r"auth\.wrap"):
        check(environ(session=ADMIN))
    with pytest.raises(ConfigurationError):
        deny(environ(), signed_in=False)


def test_A_NA15_a_falsy_or_error_session_is_anonymous(auth: Any) -> None:
    for session in ({}, None, Session(), {"user": "x"}, {"error": "Configuration"}):
        denial = check(environ(session=session, auth=auth), roles={"admin"})
        assert denial is not None and denial.status == 302


def test_callback_url_keeps_the_request_bytes() -> None:
    # "/café" as a WSGI server hands it over: UTF-8 bytes decoded as latin-1
    assert current_url(environ("/café".encode().decode("latin-1"))) == "/caf%C3%A9"
