"""The themed 403 page and the "form expired" message, through the whole stack with WebTest."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import webob
import webtest

from authmw import Auth
from authmw.integrations._access import deny
from authmw.pages.messages import CSRF_EXPIRED_MESSAGE
from authmw.rules import RulesMiddleware
from authmw.stack import rules_middleware

RULES = [
    {"path": "/admin/**", "roles": ["admin"]},
    {"path": "/api/**", "roles": ["admin"], "api": True},
]
EXPIRED = "That form expired — please try again."


@pytest.fixture
def alice(make_app: Callable[..., webtest.TestApp], sign_in: Callable[..., Any]) -> Any:
    """``alice(**auth_options)``: a WebTest app with Alice (role user) signed in."""

    def factory(**options: Any) -> webtest.TestApp:
        app = make_app(rules=RULES, **options)
        assert sign_in(app).status_int == 302
        return app

    return factory


def test_signed_in_without_the_role_gets_the_themed_page(alice: Any) -> None:
    app = alice(theme={"brand_color": "#0a7d3b", "color_scheme": "dark"})
    response = app.get("/admin/users?tab=2", status=403)
    assert response.content_type == "text/html" and response.charset == "utf-8"
    html = response.text
    assert html.startswith("<!DOCTYPE html>")
    assert 'class="theme-dark"' in html and "--brand-color: #0a7d3b;" in html
    assert "<h1>Access denied</h1>" in html
    assert "signed in as <strong>alice@example.com</strong>" in html
    assert response.html.find("a", string="Back to home page")["href"] == "/"
    link = response.html.find("a", string="Sign in as a different user")["href"]
    parts = urlsplit(link)
    assert parts.path == "/api/auth/signin"
    assert parse_qs(parts.query) == {"callbackUrl": ["/admin/users?tab=2"]}


def test_S_H7_403_page_is_not_stored_and_carries_the_auth_page_headers(alice: Any) -> None:
    response = alice().get("/admin", status=403)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "frame-ancestors 'none'"


def test_the_different_user_link_leads_to_a_working_sign_in(
    alice: Any, sign_in: Callable[..., Any]
) -> None:
    app = alice()
    link = app.get("/admin", status=403).html.find("a", string="Sign in as a different user")
    page = app.get(link["href"])
    assert page.status_int == 200 and "Sign in" in page.text  # no redirect loop when signed in
    done = sign_in(app, "admin@example.com", callbackUrl="/admin")
    assert done.headers["Location"] == "http://localhost/admin"
    assert app.get("/admin").status_int == 200


def test_json_clients_keep_the_json_403(alice: Any) -> None:
    app = alice()
    as_json = app.get("/admin", headers={"Accept": "application/json"}, status=403)
    assert as_json.json == {
        "error": "AccessDenied",
        "message": "You do not have permission to access this resource.",
    }
    api = app.get("/api/things", headers={"Accept": "text/html"}, status=403)
    assert api.json["error"] == "AccessDenied"
    assert api.headers["Cache-Control"] == "no-store"


def test_forbidden_template_is_overridable_through_template_dirs(
    alice: Any, tmp_path: Path
) -> None:
    (tmp_path / "forbidden.html").write_text(
        '{% extends "authmw/forbidden.html" %}{% block title %}Nope{% endblock %}'
    )
    html = alice(template_dirs=[tmp_path]).get("/admin", status=403).text
    assert "<title>Nope</title>" in html and "Sign in as a different user" in html


def test_user_name_is_escaped(
    make_app: Callable[..., webtest.TestApp], make_credentials: Any
) -> None:
    hostile = {"id": "9", "name": "<script>x</script>", "email": None, "role": "user"}
    provider = make_credentials(authorize=lambda credentials, request: dict(hostile))
    app = make_app(rules=RULES, providers=[provider])
    token = app.get("/api/auth/csrf").json["csrfToken"]
    app.post("/api/auth/callback/credentials", {"csrfToken": token}, status=302)
    html = app.get("/admin", status=403).text
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html


def test_403_under_a_mount_point_links_home_and_to_sign_in_there(
    make_auth: Callable[..., Auth],
) -> None:
    auth = make_auth()
    rules = rules_middleware(auth, lambda e, s: [], [{"path": "/shop/admin", "roles": ["admin"]}])
    request = webob.Request.blank("/admin", base_url="http://localhost/shop")
    request.environ["authmw.auth"] = auth
    request.environ["auth.session"] = {"user": {"email": "alice@example.com", "role": "user"}}
    response = request.get_response(rules)
    assert response.status_int == 403
    assert 'href="/shop/"' in response.text
    assert 'href="/shop/api/auth/signin?callbackUrl=%2Fshop%2Fadmin"' in response.text


def test_rules_alone_still_answer_with_the_builtin_page() -> None:
    app = RulesMiddleware(lambda e, s: [], [{"path": "/a", "roles": ["x"]}], sign_in_url="/in")
    request = webob.Request.blank("/a")
    request.environ["auth.session"] = {"user": {"name": "Bo", "role": "y"}}
    response = request.get_response(app)
    assert response.status_int == 403 and "Access denied" in response.text
    assert "signed in as <strong>Bo</strong>" in response.text
    assert 'href="/in?callbackUrl=%2Fa"' in response.text


def test_framework_decorators_deny_with_the_same_page(make_auth: Callable[..., Auth]) -> None:
    auth = make_auth(theme={"color_scheme": "dark"})
    environ = webob.Request.blank("/staff").environ
    environ["authmw.auth"] = auth
    environ["auth.session"] = {"user": {"email": "alice@example.com", "role": "user"}}
    denial = deny(environ, signed_in=True)
    assert denial.status == 403 and ("Cache-Control", "no-store") in denial.headers
    html = denial.body.decode()
    assert 'class="theme-dark"' in html and "Sign in as a different user" in html
    assert "/api/auth/signin?callbackUrl=%2Fstaff" in html


# --- a refused POST lands on a page that says why -------------------------------------------


def test_message_text() -> None:
    assert CSRF_EXPIRED_MESSAGE == EXPIRED


def test_S_X1_refused_sign_in_post_lands_on_the_expired_message(
    make_app: Callable[..., webtest.TestApp],
) -> None:
    app = make_app()
    app.get("/api/auth/signin")  # the csrf cookie
    refused = app.post(
        "/api/auth/callback/credentials",
        {"csrfToken": "forged", "email": "alice@example.com", "password": "alice-password"},
        status=302,
    )
    assert refused.headers["Location"].endswith("/api/auth/signin?csrf=true")
    page = refused.follow()
    assert page.html.find(role="alert").get_text(strip=True) == EXPIRED
    assert page.html.find("input", attrs={"name": "csrfToken"})["value"]  # a fresh form


def test_S_X1_refused_sign_out_post_lands_on_the_expired_message(
    make_app: Callable[..., webtest.TestApp], sign_in: Callable[..., Any]
) -> None:
    app = make_app()
    sign_in(app)
    refused = app.post("/api/auth/signout", {"csrfToken": "stale"}, status=302)
    assert refused.headers["Location"].endswith("/api/auth/signout?csrf=true")
    page = refused.follow()
    assert page.html.find(role="alert").get_text(strip=True) == EXPIRED
    assert page.html.find("button", string="Sign out")
    assert app.get("/api/auth/session").json["user"]["email"] == "alice@example.com"


def test_plain_pages_have_no_expired_message(make_app: Callable[..., webtest.TestApp]) -> None:
    app = make_app()
    for path in ("/api/auth/signin", "/api/auth/signout", "/api/auth/signin?csrf=1"):
        assert EXPIRED not in app.get(path).text, path
    page = app.get("/api/auth/signin?csrf=true&error=CredentialsSignin")
    assert page.html.find(role="alert").get_text(strip=True) == EXPIRED
