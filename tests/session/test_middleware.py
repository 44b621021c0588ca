"""SessionMiddleware through the full stack: decoding, rolling, clearing, rotation, chunks."""

from __future__ import annotations

import time
from typing import Any

import pytest
import time_machine
import webtest

from authmw import get_token

SESSION = "authmw.session-token"


def token_for(app: webtest.TestApp, auth: Any, claims: dict[str, Any], max_age: int = 3600) -> str:
    codec = auth.realm({}).session_codec
    token: str = codec.encode(claims, max_age=max_age)
    return token


def test_anonymous_request_sees_none(app: webtest.TestApp) -> None:
    assert app.get("/").json["session"] is None


@pytest.mark.parametrize("value", ["", " ", "null", "YWJj", "a.b.c.d.e", "x" * 5000])
def test_B_C1_B_C2_B_C8_garbage_cookie_is_anonymous_and_cleared(
    app: webtest.TestApp, value: str
) -> None:
    response = app.get("/", headers={"Cookie": f"{SESSION}={value}"})
    assert response.json["session"] is None
    if value.strip():
        cleared = response.headers.getall("Set-Cookie")
        assert any(c.startswith(SESSION) and "Max-Age=0" in c for c in cleared)


def test_B_C11_non_ascii_cookie_header_is_anonymous(app: webtest.TestApp) -> None:
    environ = {"HTTP_COOKIE": f"{SESSION}=\xff\xfe\u00e9; other=1"}
    assert app.get("/", extra_environ=environ).json["session"] is None


def test_valid_token_gives_session_and_token(make_auth) -> None:  # type: ignore[no-untyped-def]
    auth = make_auth()
    seen: dict[str, Any] = {}

    def inner(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen["session"] = environ["auth.session"]
        seen["token"] = get_token(environ)
        start_response("200 OK", [])
        return [b""]

    app = webtest.TestApp(auth.wrap(inner))
    token = token_for(app, auth, {"sub": "1", "email": "a@example.com", "role": "admin"})
    app.get("/", headers={"Cookie": f"{SESSION}={token}"})
    assert seen["session"]["user"]["email"] == "a@example.com"
    assert seen["session"]["user"]["role"] == "admin"
    assert seen["token"]["sub"] == "1"


def test_expired_token_is_anonymous_and_cleared(make_auth) -> None:  # type: ignore[no-untyped-def]
    auth = make_auth()
    app = webtest.TestApp(auth.wrap(_echo))
    with time_machine.travel(time.time() - 7200, tick=False):
        token = token_for(app, auth, {"sub": "1"}, max_age=3600)
    response = app.get("/", headers={"Cookie": f"{SESSION}={token}"})
    assert response.text == "None"
    assert any("Max-Age=0" in c for c in response.headers.getall("Set-Cookie"))


def test_session_cookie_rolls_after_update_age(make_auth) -> None:  # type: ignore[no-untyped-def]
    auth = make_auth(session={"max_age": 3600, "update_age": 60})
    app = webtest.TestApp(auth.wrap(_echo))
    token = token_for(app, auth, {"sub": "1"})
    fresh = app.get("/", headers={"Cookie": f"{SESSION}={token}"})
    assert "Set-Cookie" not in fresh.headers
    with time_machine.travel(time.time() + 120, tick=False):
        rolled = app.get("/", headers={"Cookie": f"{SESSION}={token}"})
    cookie = rolled.headers["Set-Cookie"]
    assert cookie.startswith(SESSION + "=") and "Max-Age=3600" in cookie
    assert rolled.headers["Vary"] == "Cookie"


def test_get_session_endpoint_rolls_expiry_once_update_age_has_passed(make_auth) -> None:  # type: ignore[no-untyped-def]
    """Polling ``/session`` does not re-issue the cookie each time (an encryption per poll);
    it rolls like any request, after ``update_age``, and ``expires`` says the token's own."""
    auth = make_auth(session={"max_age": 3600, "update_age": 60})
    app = webtest.TestApp(auth.wrap(_echo))
    token = token_for(app, auth, {"sub": "1"})
    polled = app.get("/api/auth/session", headers={"Cookie": f"{SESSION}={token}"})
    assert not any(c.startswith(SESSION) for c in polled.headers.getall("Set-Cookie"))
    with time_machine.travel(time.time() + 120, tick=False):
        rolled = app.get("/api/auth/session", headers={"Cookie": f"{SESSION}={token}"})
        later = rolled.json["expires"]
    assert any(c.startswith(SESSION) for c in rolled.headers.getall("Set-Cookie"))
    assert later > polled.json["expires"]


def test_P_I2_key_rotation(make_auth) -> None:  # type: ignore[no-untyped-def]
    old, new = "o" * 40, "n" * 40
    old_auth = make_auth(secret=old)
    token = token_for(None, old_auth, {"sub": "1", "email": "old@example.com"})  # type: ignore[arg-type]
    rotated = webtest.TestApp(make_auth(secret=[new, old]).wrap(_echo))
    assert "old@example.com" in rotated.get("/", headers={"Cookie": f"{SESSION}={token}"}).text
    removed = webtest.TestApp(make_auth(secret=new).wrap(_echo))
    assert removed.get("/", headers={"Cookie": f"{SESSION}={token}"}).text == "None"


def test_S_C6_large_session_is_chunked_and_read_back(make_app, sign_in) -> None:  # type: ignore[no-untyped-def]
    def jwt(token: dict[str, Any], user: Any = None) -> dict[str, Any]:
        token["blob"] = "x" * 9000
        return token

    app = make_app(callbacks={"jwt": jwt})
    response = sign_in(app)
    names = [c.split("=", 1)[0] for c in response.headers.getall("Set-Cookie")]
    chunks = [n for n in names if n.startswith(SESSION + ".")]
    assert len(chunks) >= 2
    assert all(len(c) <= 4096 for c in response.headers.getall("Set-Cookie"))
    assert app.get("/api/auth/session").json["user"]["email"] == "alice@example.com"


def test_A_NA14_malformed_bearer_is_anonymous(make_auth) -> None:  # type: ignore[no-untyped-def]
    auth = make_auth()
    seen = []

    def inner(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.append(get_token(environ))
        start_response("200 OK", [])
        return [b""]

    app = webtest.TestApp(auth.wrap(inner))
    for header in ("Bearer %E0%A4%A", "Bearer %zz", "Bearer", "Bearer ", "Basic abc", "x" * 20000):
        app.get("/", headers={"Authorization": header})
    assert seen == [None] * 6
    token = token_for(app, auth, {"sub": "9"})
    app.get("/", headers={"Authorization": f"Bearer {token}"})
    assert seen[-1]["sub"] == "9"


def _echo(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    session = environ["auth.session"]
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [repr(session and session.user.get("email")).encode() if session else b"None"]
