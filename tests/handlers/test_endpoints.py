"""Each endpoint's wire behaviour, as NextAuth clients expect it."""

from __future__ import annotations

import re

import pytest
import webtest


def test_providers_json_shape(app: webtest.TestApp) -> None:
    response = app.get("/api/auth/providers")
    assert response.json == {
        "credentials": {
            "id": "credentials",
            "name": "Credentials",
            "type": "credentials",
            "signinUrl": "http://localhost/api/auth/signin/credentials",
            "callbackUrl": "http://localhost/api/auth/callback/credentials",
        }
    }
    assert "Access-Control-Allow-Origin" not in response.headers  # S-H8


def test_csrf_token_shape_and_cookie_reuse(app: webtest.TestApp) -> None:
    first = app.get("/api/auth/csrf")
    token = first.json["csrfToken"]
    assert re.fullmatch(r"[0-9a-f]{64}", token)
    assert "authmw.csrf-token" in first.headers.getall("Set-Cookie")[0]
    second = app.get("/api/auth/csrf")
    assert second.json["csrfToken"] == token
    assert not any("csrf-token" in c for c in second.headers.getall("Set-Cookie"))


def test_S_C7_auth_responses_are_not_cached(app: webtest.TestApp) -> None:
    for path in ("/api/auth/csrf", "/api/auth/session", "/api/auth/providers", "/api/auth/signin"):
        assert app.get(path).headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/api/auth/signin", "/api/auth/signout", "/api/auth/error"])
def test_S_H7_security_headers_on_pages(app: webtest.TestApp, path: str) -> None:
    headers = app.get(path, status="*").headers
    # same-origin, not no-referrer: under no-referrer Chromium sends Origin: null on our forms
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def test_session_anonymous_is_empty_object(app: webtest.TestApp) -> None:
    assert app.get("/api/auth/session").json == {}


def test_signin_page_lists_providers_with_csrf(app: webtest.TestApp) -> None:
    page = app.get("/api/auth/signin")
    assert page.content_type == "text/html"
    assert 'action="http://localhost/api/auth/callback/credentials"' in page.text
    token = app.get("/api/auth/csrf").json["csrfToken"]
    assert token in page.text


def test_S_X7_get_signin_provider_has_no_side_effect_beyond_csrf(app: webtest.TestApp) -> None:
    response = app.get("/api/auth/signin/credentials")
    names = [c.split("=", 1)[0] for c in response.headers.getall("Set-Cookie")]
    assert "authmw.session-token" not in names


def test_B_P10_error_page_never_reflects_input(app: webtest.TestApp) -> None:
    response = app.get("/api/auth/error", {"error": "<script>alert(1)</script>"})
    assert "<script>alert(1)" not in response.text
    assert response.status_int == 200


@pytest.mark.parametrize(
    ("code", "status"), [("Configuration", 500), ("AccessDenied", 403), ("Verification", 403)]
)
def test_error_page_status_per_code(app: webtest.TestApp, code: str, status: int) -> None:
    app.get("/api/auth/error", {"error": code}, status=status)


def test_error_with_signin_code_redirects_to_signin(app: webtest.TestApp) -> None:
    response = app.get("/api/auth/error", {"error": "CredentialsSignin"}, status=302)
    assert (
        response.headers["Location"] == "http://localhost/api/auth/signin?error=CredentialsSignin"
    )


def test_verify_request_page(app: webtest.TestApp) -> None:
    assert "localhost" in app.get("/api/auth/verify-request").text


def test_B_P11_signin_page_escapes_callback_url(app: webtest.TestApp) -> None:
    page = app.get("/api/auth/signin", {"callbackUrl": '/x"><script>alert(1)</script>'})
    assert "<script>alert(1)" not in page.text


def test_signin_page_unknown_error_shows_default(app: webtest.TestApp) -> None:
    page = app.get("/api/auth/signin", {"error": "<b>Owned</b>"})
    assert "<b>Owned</b>" not in page.text
    assert "&lt;b&gt;Owned" not in page.text


def test_custom_pages_redirect(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app(
        pages={
            "sign_in": "/login",
            "sign_out": "/logout",
            "error": "/oops",
            "verify_request": "/mail",
        }
    )
    location = app.get("/api/auth/signin", {"callbackUrl": "/dash"}, status=302).headers["Location"]
    assert location == "http://localhost/login?callbackUrl=http%3A%2F%2Flocalhost%2Fdash"
    assert app.get("/api/auth/signout", status=302).headers["Location"] == "http://localhost/logout"
    oops = app.get("/api/auth/error", {"error": "AccessDenied"}, status=302).headers["Location"]
    assert oops == "http://localhost/oops?error=AccessDenied"
    mail = app.get("/api/auth/verify-request", status=302).headers["Location"]
    assert mail == "http://localhost/mail"
