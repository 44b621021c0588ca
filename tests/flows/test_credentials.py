"""Signing in with the credentials provider, end to end through the WSGI stack."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import webtest

SESSION = "authmw.session-token"


def session_cookie(app: webtest.TestApp) -> str | None:
    value: str | None = app.cookies.get(SESSION)
    return value


def test_sign_in_sets_session_and_redirects(app: webtest.TestApp, sign_in) -> None:  # type: ignore[no-untyped-def]
    response = sign_in(app, callbackUrl="/dashboard")
    assert response.status_int == 302
    assert response.headers["Location"] == "http://localhost/dashboard"
    assert session_cookie(app)
    session = app.get("/api/auth/session").json
    # authorize() returned no image: NextAuth v4's session then has no `image` key either.
    assert session["user"] == {"name": "Alice", "email": "alice@example.com", "role": "user"}
    assert session["expires"].endswith("Z") and len(session["expires"]) == 24
    assert app.get("/dashboard").json["session"]["user"]["email"] == "alice@example.com"


def test_S_C2_S_C3_session_cookie_flags(app: webtest.TestApp, sign_in) -> None:  # type: ignore[no-untyped-def]
    response = sign_in(app)
    cookie = next(c for c in response.headers.getall("Set-Cookie") if c.startswith(SESSION))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Path=/" in cookie
    assert "Secure" not in cookie  # plain http dev origin
    assert "Domain" not in cookie  # S-C5


def test_S_C1_S_C4_https_origin_uses_secure_prefixed_cookies(make_app, sign_in) -> None:  # type: ignore[no-untyped-def]
    app = make_app(url="https://app.example")
    app.extra_environ = {"wsgi.url_scheme": "https", "HTTP_HOST": "app.example"}
    response = app.get("/api/auth/csrf", extra_environ=app.extra_environ)
    csrf_cookie = next(c for c in response.headers.getall("Set-Cookie") if "csrf-token" in c)
    assert csrf_cookie.startswith("__Host-authmw.csrf-token=")
    assert "Secure" in csrf_cookie and "Domain" not in csrf_cookie
    signed = sign_in(app)
    cookies = signed.headers.getall("Set-Cookie")
    session = next(c for c in cookies if "session-token" in c)
    assert session.startswith("__Host-authmw.session-token=") and "Secure" in session
    assert "Domain" not in session and "Path=/" in session


def test_wrong_password_redirects_with_credentials_signin(app: webtest.TestApp, sign_in) -> None:  # type: ignore[no-untyped-def]
    response = sign_in(app, password="wrong")
    assert response.status_int == 302
    assert response.headers["Location"] == (
        "http://localhost/api/auth/signin?error=CredentialsSignin"
    )
    assert session_cookie(app) is None


def test_unknown_user_and_wrong_password_look_the_same(app: webtest.TestApp, sign_in) -> None:  # type: ignore[no-untyped-def]
    a = sign_in(app, email="nobody@example.com", password="x")
    b = sign_in(app, email="alice@example.com", password="x")
    assert (a.status_int, a.headers["Location"]) == (b.status_int, b.headers["Location"])


def test_json_mode_returns_url(app: webtest.TestApp, sign_in) -> None:  # type: ignore[no-untyped-def]
    ok = sign_in(app, json="true", callbackUrl="/dashboard")
    assert ok.status_int == 200
    assert ok.json == {"url": "http://localhost/dashboard"}
    bad = sign_in(app, password="nope", json="true")
    assert bad.status_int == 401
    assert bad.json == {
        "url": "http://localhost/api/auth/error?error=CredentialsSignin&provider=credentials"
    }


def test_S_X1_missing_or_wrong_csrf_changes_nothing(app: webtest.TestApp) -> None:
    app.get("/api/auth/csrf")
    calls = []
    params: dict[str, Any] = {"email": "alice@example.com", "password": "alice-password"}
    for extra in ({}, {"csrfToken": "0" * 64}, {"csrfToken": ""}):
        response = app.post("/api/auth/callback/credentials", {**params, **extra}, status=302)
        calls.append(response.headers["Location"])
        assert session_cookie(app) is None
    assert set(calls) == {"http://localhost/api/auth/signin?csrf=true"}


def test_S_X1_csrf_cookie_from_other_secret_is_rejected(make_app) -> None:  # type: ignore[no-untyped-def]
    other = make_app(secret="o" * 40)
    token = other.get("/api/auth/csrf").json["csrfToken"]
    cookie = other.cookies["authmw.csrf-token"]
    app = make_app()
    app.set_cookie("authmw.csrf-token", cookie)
    response = app.post(
        "/api/auth/callback/credentials",
        {"csrfToken": token, "email": "alice@example.com", "password": "alice-password"},
        status=302,
    )
    assert response.headers["Location"].endswith("csrf=true")


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": "null", "Sec-Fetch-Site": "same-site"},
        {"Origin": "http://localhost.evil.example"},
        {"Sec-Fetch-Site": "cross-site"},
    ],
)
def test_B_H6_S_X3_S_X4_cross_site_post_is_refused(
    app: webtest.TestApp,
    csrf_token,
    headers: dict[str, str],  # type: ignore[no-untyped-def]
) -> None:
    token = csrf_token(app)
    response = app.post(
        "/api/auth/callback/credentials",
        {"csrfToken": token, "email": "alice@example.com", "password": "alice-password"},
        headers=headers,
        status=302,
    )
    assert response.headers["Location"].endswith("csrf=true")
    assert session_cookie(app) is None


def test_same_origin_header_is_accepted(app: webtest.TestApp, sign_in, csrf_token) -> None:  # type: ignore[no-untyped-def]
    token = csrf_token(app)
    response = app.post(
        "/api/auth/callback/credentials",
        {"csrfToken": token, "email": "alice@example.com", "password": "alice-password"},
        headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"},
    )
    assert response.status_int == 302 and session_cookie(app)


def test_S_S1_every_sign_in_issues_a_new_token(app: webtest.TestApp, sign_in) -> None:  # type: ignore[no-untyped-def]
    app.set_cookie(SESSION, "planted-by-attacker")
    sign_in(app)
    first = session_cookie(app)
    assert first and first != "planted-by-attacker"
    sign_in(app)
    assert session_cookie(app) != first


def test_sign_out_clears_session(app: webtest.TestApp, sign_in, csrf_token) -> None:  # type: ignore[no-untyped-def]
    sign_in(app)
    page = app.get("/api/auth/signout")
    assert "sign out" in page.text.lower()
    response = app.post("/api/auth/signout", {"csrfToken": csrf_token(app)}, status=302)
    assert response.headers["Location"] == "http://localhost"
    cleared = [c for c in response.headers.getall("Set-Cookie") if c.startswith(SESSION)]
    assert cleared and all("Max-Age=0" in c for c in cleared)
    assert app.get("/api/auth/session").json == {}


def test_sign_out_with_bad_csrf_keeps_session(app: webtest.TestApp, sign_in) -> None:  # type: ignore[no-untyped-def]
    sign_in(app)
    response = app.post("/api/auth/signout", {"csrfToken": "bad"}, status=302)
    assert response.headers["Location"] == "http://localhost/api/auth/signout?csrf=true"
    assert app.get("/api/auth/session").json["user"]["email"] == "alice@example.com"


def test_sign_out_json_mode(app: webtest.TestApp, sign_in, csrf_token) -> None:  # type: ignore[no-untyped-def]
    sign_in(app)
    response = app.post(
        "/api/auth/signout",
        {"csrfToken": csrf_token(app), "json": "true", "callbackUrl": "/bye"},
    )
    assert response.json == {"url": "http://localhost/bye"}


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)"]
)
def test_A_NA1_offsite_callback_url_falls_back_to_origin(
    app: webtest.TestApp,
    sign_in,
    target: str,  # type: ignore[no-untyped-def]
) -> None:
    response = sign_in(app, callbackUrl=target)
    assert response.headers["Location"] in ("http://localhost", "http://localhost/")


def test_P_G3_callback_url_cookie_is_signed_and_revalidated(app: webtest.TestApp, sign_in) -> None:  # type: ignore[no-untyped-def]
    app.get("/api/auth/signin", {"callbackUrl": "/dashboard?tab=1"})
    assert sign_in(app).headers["Location"] == "http://localhost/dashboard?tab=1"
    app.set_cookie("authmw.callback-url", "https://evil.example")  # B-C15
    assert sign_in(app).headers["Location"] == "http://localhost"


def test_redirect_callback_is_used(make_app, sign_in) -> None:  # type: ignore[no-untyped-def]
    def redirect(url: str, base_url: str) -> str:
        return base_url + "/always-here"

    app = make_app(callbacks={"redirect": redirect})
    assert sign_in(app).headers["Location"] == "http://localhost/always-here"


def test_sign_in_callback_false_is_access_denied(make_app, sign_in) -> None:  # type: ignore[no-untyped-def]
    app = make_app(callbacks={"sign_in": lambda user: user["email"] != "alice@example.com"})
    response = sign_in(app)
    assert response.headers["Location"] == "http://localhost/api/auth/error?error=AccessDenied"
    assert session_cookie(app) is None
    assert sign_in(app, email="admin@example.com").headers["Location"] == "http://localhost"


def test_sign_in_callback_string_redirects(make_app, sign_in) -> None:  # type: ignore[no-untyped-def]
    app = make_app(callbacks={"sign_in": lambda: "/not-yet"})
    assert sign_in(app).headers["Location"] == "http://localhost/not-yet"
    assert session_cookie(app) is None


@pytest.mark.parametrize("which", ["sign_in", "jwt", "redirect"])
def test_A_NA15_callback_exception_goes_to_error_page(
    make_app,
    sign_in,
    which: str,
    caplog: pytest.LogCaptureFixture,  # type: ignore[no-untyped-def]
) -> None:
    def boom(**_: Any) -> Any:
        raise RuntimeError("callback failed")

    app = make_app(callbacks={which: boom})
    response = sign_in(app)
    assert response.status_int == 302
    if which == "redirect":
        assert response.headers["Location"] == "http://localhost"
    else:
        assert "/api/auth/error?error=" in response.headers["Location"]
        assert session_cookie(app) is None
    assert "Traceback" not in response.text


def test_A_NA15_session_callback_exception_means_anonymous(make_app, sign_in) -> None:  # type: ignore[no-untyped-def]
    calls = {"n": 0}

    def session(session: dict[str, Any]) -> dict[str, Any]:
        calls["n"] += 1
        raise RuntimeError("broken")

    app = make_app(
        callbacks={"session": session}, rules=[{"path": "/dashboard", "signed_in": True}]
    )
    sign_in(app)
    assert app.get("/dashboard", status=302).headers["Location"].startswith("/api/auth/signin")
    assert calls["n"] >= 1


def test_authorize_exception_is_logged_without_password(
    make_app,
    sign_in,
    make_credentials,
    caplog: pytest.LogCaptureFixture,  # type: ignore[no-untyped-def]
) -> None:
    def authorize(credentials: dict[str, str], request: Any) -> None:
        raise ValueError("lookup failed")

    app = make_app(providers=[make_credentials(authorize=authorize)])
    with caplog.at_level(logging.DEBUG):
        response = sign_in(app, password="super-secret-pw")
    assert response.headers["Location"].endswith("error=CredentialsSignin")
    assert "super-secret-pw" not in caplog.text


def test_A_NA6_logs_hold_no_secrets(app: webtest.TestApp, sign_in, caplog) -> None:  # type: ignore[no-untyped-def]
    with caplog.at_level(logging.DEBUG, logger="authmw"):
        sign_in(app)
        sign_in(app, password="wrong-password-value")
        app.post("/api/auth/signout", {"csrfToken": "x"})
    text = caplog.text
    assert "alice-password" not in text and "wrong-password-value" not in text
    assert (session_cookie(app) or "never") not in text


def test_session_update_runs_jwt_with_trigger_update(make_app, sign_in, csrf_token) -> None:  # type: ignore[no-untyped-def]
    def jwt(token: dict[str, Any], user: Any = None, trigger: str = "", session: Any = None) -> Any:
        if trigger == "update" and isinstance(session, dict):
            token["name"] = session.get("name", token.get("name"))
        return token

    app = make_app(callbacks={"jwt": jwt})
    sign_in(app)
    updated = app.post_json(
        "/api/auth/session", {"csrfToken": csrf_token(app), "data": {"name": "Alicia"}}
    )
    assert updated.json["user"]["name"] == "Alicia"
    assert app.get("/api/auth/session").json["user"]["name"] == "Alicia"


def test_session_update_without_csrf_is_400(app: webtest.TestApp, sign_in) -> None:  # type: ignore[no-untyped-def]
    sign_in(app)
    response = app.post_json("/api/auth/session", {"data": {"name": "x"}}, status=400)
    assert response.json == {}


def test_B_H1_host_header_does_not_change_urls(app: webtest.TestApp, sign_in) -> None:  # type: ignore[no-untyped-def]
    app.get("/api/auth/csrf")
    response = app.get("/api/auth/providers", headers={"Host": "evil.example"})
    assert "evil.example" not in response.text
    signed = sign_in(app, callbackUrl="/x")
    assert signed.headers["Location"] == "http://localhost/x"


def test_trust_host_derives_origin_from_request(make_app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("AUTHMW_URL", raising=False)
    app = make_app(url=None, trust_host=True)
    providers = app.get("/api/auth/providers", headers={"Host": "app.test:8080"}).json
    assert (
        providers["credentials"]["signinUrl"] == "http://app.test:8080/api/auth/signin/credentials"
    )


@pytest.mark.parametrize(
    ("content_type", "body", "status"),
    [
        ("text/plain", b"csrfToken=x", 415),
        ("multipart/form-data; boundary=x", b"--x--", 415),
        ("application/x-www-form-urlencoded", b"a=%ff%fe", 400),
        ("application/x-www-form-urlencoded", b"csrfToken=a&csrfToken=b", 400),
        ("application/x-www-form-urlencoded", "email=\u00e9".encode(), 400),
        ("application/json", b"[1,2]", 400),
        ("application/json", b"{bad", 400),
        ("application/x-www-form-urlencoded", b"x=" + b"a" * 70000, 413),
    ],
)
def test_B_H8_B_P5_B_P6_malformed_bodies_get_4xx(
    app: webtest.TestApp, content_type: str, body: bytes, status: int
) -> None:
    app.post("/api/auth/callback/credentials", body, content_type=content_type, status=status)
    assert session_cookie(app) is None


def test_B_P7_wrong_types_in_json_body(app: webtest.TestApp, csrf_token) -> None:  # type: ignore[no-untyped-def]
    token = csrf_token(app)
    response = app.post_json(
        "/api/auth/callback/credentials",
        {"csrfToken": token, "email": ["a"], "password": {"x": 1}},
        status="*",
    )
    assert response.status_int < 500
    assert session_cookie(app) is None


def test_B_P5_invalid_utf8_in_query_is_400(app: webtest.TestApp) -> None:
    app.get("/api/auth/signin?callbackUrl=%ff%fe", status=400)
    app.get("/api/auth/signin?callbackUrl=a&callbackUrl=b", status=400)


def test_B_H9_json_error_for_json_clients(app: webtest.TestApp) -> None:
    response = app.get(
        "/api/auth/signin?callbackUrl=%ff", headers={"Accept": "application/json"}, status=400
    )
    assert response.json["error"] == "BadRequest"


def test_S_A7_credentials_reach_authorize_untouched(make_app, csrf_token, make_credentials) -> None:  # type: ignore[no-untyped-def]
    seen: dict[str, str] = {}

    def authorize(credentials: dict[str, str], request: Any) -> dict[str, Any]:
        seen.update(credentials)
        return {"id": "7", "email": "x@example.com"}

    app = make_app(providers=[make_credentials(authorize=authorize)])
    password = "  Pässwörd 🔑 with spaces  " * 5
    app.post(
        "/api/auth/callback/credentials",
        {"csrfToken": csrf_token(app), "email": " Mixed@Case.Example ", "password": password},
    )
    assert seen == {"email": " Mixed@Case.Example ", "password": password}


def test_S_C6_session_update_too_large_for_cookies_is_400(make_app, sign_in, csrf_token) -> None:  # type: ignore[no-untyped-def]
    def jwt(token: dict[str, Any], trigger: str = "", session: Any = None) -> Any:
        if trigger == "update":
            token["blob"] = "x" * 40000  # more than the chunk cap allows
        return token

    app = make_app(callbacks={"jwt": jwt})
    sign_in(app)
    before = app.cookies.get(SESSION)
    response = app.post_json(
        "/api/auth/session", {"csrfToken": csrf_token(app), "data": {}}, status=400
    )
    assert response.json == {}
    assert app.cookies.get(SESSION) == before
    assert app.get("/api/auth/session").json["user"]["email"] == "alice@example.com"
