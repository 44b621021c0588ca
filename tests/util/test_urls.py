"""URL building shared by every layer (authmw/util/urls.py)."""

from __future__ import annotations

from authmw.util.urls import append_query, base_url, mounted, sign_in_path, sign_in_redirect


def test_append_query() -> None:
    assert append_query("/signin", {"callbackUrl": "/a?b=1"}) == "/signin?callbackUrl=%2Fa%3Fb%3D1"
    assert append_query("/signin?x=1", {"error": "E"}) == "/signin?x=1&error=E"
    assert append_query("/signin?", {"error": "E"}) == "/signin?error=E"
    assert append_query("/signin#top", {"error": "E"}) == "/signin?error=E#top"
    assert append_query("/signin", {"error": "", "x": None}) == "/signin"
    assert append_query("/a", {"prompt": ""}, keep_empty=True) == "/a?prompt="
    assert append_query("https://idp/a?q=%20", {"s": "1"}) == "https://idp/a?q=%20&s=1"


def test_base_url() -> None:
    assert base_url("https://app.example", {"HTTP_HOST": "evil"}) == "https://app.example"
    environ = {"wsgi.url_scheme": "https", "HTTP_HOST": "h.example", "SCRIPT_NAME": "/app/"}
    assert base_url(None, environ) == "https://h.example/app"
    assert base_url(None, {"SERVER_NAME": "s"}) == "http://s"


def test_sign_in_path_and_redirect() -> None:
    assert sign_in_path(None, "/api/auth") == "/api/auth/signin"
    assert sign_in_path("/login", "/api/auth") == "/login"
    assert mounted("/login", {"SCRIPT_NAME": "/app/"}) == "/app/login"
    assert mounted("https://sso.example/login", {"SCRIPT_NAME": "/app"}) == (
        "https://sso.example/login"
    )
    location = sign_in_redirect("/api/auth/signin", {"SCRIPT_NAME": "/app"}, "/app/x")
    assert location == "/app/api/auth/signin?callbackUrl=%2Fapp%2Fx"
