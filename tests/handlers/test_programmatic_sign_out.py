"""Sign-out from the app's own code with ``sign_out_of_provider``: ``auth.sign_out_redirect``
ends the session at the provider too (RP-initiated logout, against the local ``LogoutOP``);
``auth.sign_out`` keeps ending the local session only and returning headers."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
import requests
import webtest

from authmw import Auth
from authmw.adapters.sql import SQLAdapter
from tests.providers import idp

RETURN_URI = "http://localhost/api/auth/signout-callback/oidc"
LOGOUT_STATE = "authmw.logout-state"
SESSION = "authmw.session-token"


def make_app(
    op: Any, *, sign_out_of_provider: bool = True, **options: Any
) -> tuple[webtest.TestApp, list[Any]]:
    """``/leave?to=...`` signs out with ``sign_out_redirect`` (its answers are kept in the
    list), ``/leave-here`` with ``sign_out``; any other path shows the session."""
    op.post_logout_redirect_uris = [RETURN_URI]
    provider = idp.oidc_provider(op, sign_out_of_provider=sign_out_of_provider)
    auth = Auth(secret=idp.SECRET, url="http://localhost", providers=[provider], **options)
    seen: list[Any] = []

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ["PATH_INFO"] == "/leave":
            to = dict(parse_qsl(environ["QUERY_STRING"])).get("to")
            out = auth.sign_out_redirect(environ, callback_url=to)
            seen.append(out)
            start_response("302 Found", [("Location", out.location), *out.headers])
            return [b""]
        if environ["PATH_INFO"] == "/leave-here":
            start_response("303 See Other", [("Location", "/"), *auth.sign_out(environ)])
            return [b""]
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(environ.get("auth.session")).encode()]

    return webtest.TestApp(auth.wrap(app)), seen


def sign_in(app: webtest.TestApp) -> None:
    assert idp.sign_in(app, "oidc").status_int == 302 and idp.session_of(app)


@pytest.mark.parametrize("strategy", ["jwt", "database"])
def test_S_S4_P_G3_sign_out_redirect_signs_out_of_the_provider_and_comes_back(
    logout_op: Any, tmp_path: Path, strategy: str
) -> None:
    options: dict[str, Any] = {"session": {"strategy": strategy}}
    if strategy == "database":
        options["adapter"] = SQLAdapter(tmp_path / "auth.sqlite3", create_tables=True)
    app, seen = make_app(logout_op, **options)
    sign_in(app)
    response = app.get("/leave", {"to": "/goodbye"})
    out = seen[-1]
    assert out.at_provider and response.headers["Location"] == out.location
    path, query = idp.split(out.location)
    assert path == "/end_session" and query["post_logout_redirect_uri"] == RETURN_URI
    assert [name for name, _ in out.headers] == ["Set-Cookie"] * len(out.headers)
    assert any(value.startswith(LOGOUT_STATE) for _, value in out.headers)
    assert not idp.session_of(app)  # ours ended before the browser left
    back = requests.get(out.location, allow_redirects=False, timeout=5)
    assert back.status_code == 302 and logout_op.ended == ["user-123"]
    landed = app.get(idp.callback_path(back.headers["Location"]))
    assert landed.headers["Location"] == "http://localhost/goodbye"
    assert SESSION not in app.cookies and LOGOUT_STATE not in app.cookies


@pytest.mark.parametrize("to", ["https://evil.example/", "//evil.example", "javascript:x"])
def test_P_G1_a_foreign_callback_url_of_sign_out_redirect_gives_the_base(
    logout_op: Any, to: str
) -> None:
    app, seen = make_app(logout_op)
    sign_in(app)
    app.get("/leave", {"to": to})
    back = requests.get(seen[-1].location, allow_redirects=False, timeout=5)
    landed = app.get(idp.callback_path(back.headers["Location"]))
    assert landed.headers["Location"] == "http://localhost"


def test_without_the_option_sign_out_redirect_goes_straight_to_the_callback_url(
    logout_op: Any,
) -> None:
    app, seen = make_app(logout_op, sign_out_of_provider=False)
    sign_in(app)
    response = app.get("/leave", {"to": "/goodbye"})
    out = seen[-1]
    assert not out.at_provider and out.location == "http://localhost/goodbye"
    assert response.headers["Location"] == out.location
    assert not any(value.startswith(LOGOUT_STATE) for _, value in out.headers)
    assert not idp.session_of(app) and logout_op.requests_to("/end_session") == []


def test_anonymous_sign_out_redirect_defaults_to_the_base_url(logout_op: Any) -> None:
    app, seen = make_app(logout_op)
    app.get("/leave")
    out = seen[-1]
    assert out.location == "http://localhost" and not out.at_provider


def test_sign_out_still_returns_headers_and_ends_the_local_session_only(logout_op: Any) -> None:
    app, _ = make_app(logout_op)
    sign_in(app)
    response = app.get("/leave-here")
    assert response.headers["Location"] == "/"
    assert LOGOUT_STATE not in response.headers.get("Set-Cookie", "")
    assert not idp.session_of(app)
    assert logout_op.requests_to("/end_session") == [] and logout_op.ended == []
