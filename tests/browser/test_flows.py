"""Sign-in, sign-out and protection in Chromium, clicking and typing as a person does.

The demo app (examples.demo) runs behind waitress with its real providers: credentials, email
links through an SMTP capture server, and OpenID Connect against oidc-provider-mock.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from .conftest import fill_sign_in_form

expect = pytest.importorskip("playwright.sync_api").expect


def session_of(page: Any) -> Any:
    """``GET /api/auth/session`` with the page's cookies."""
    return page.context.request.get("/api/auth/session").json()


def test_credentials_sign_in_through_the_built_in_form(page: Any) -> None:
    page.goto("/")
    page.get_by_role("link", name="Sign in").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    fill_sign_in_form(page, "alice@example.com", "alice-password")
    expect(page.get_by_text("Signed in as")).to_contain_text("alice@example.com")
    assert session_of(page)["user"]["email"] == "alice@example.com"


def test_wrong_password_shows_the_error_banner(page: Any) -> None:
    page.goto("/api/auth/signin")
    fill_sign_in_form(page, "alice@example.com", "not-her-password")
    page.wait_for_url(re.compile(r"error=CredentialsSignin"))
    expect(page.get_by_role("alert")).to_have_text(
        "Sign in failed. Check the details you provided are correct."
    )
    assert session_of(page) in ({}, None)


def ask_for_an_email_link(page: Any, address: str) -> None:
    """Ask for a sign-in link on the built-in page (the e-mail form, not the password one)."""
    page.goto("/api/auth/signin?callbackUrl=/dashboard")
    form = page.locator("form").filter(has=page.get_by_role("button", name="Sign in with Email"))
    form = form.filter(has_not=page.get_by_label("Password"))
    form.get_by_label("Email").fill(address)
    form.get_by_role("button", name="Sign in with Email").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()


def test_email_link_from_the_inbox_signs_in(page: Any, demo: Any) -> None:
    address = "bea@example.com"
    ask_for_an_email_link(page, address)
    page.goto(demo.inbox.link_for(address))
    expect(page).to_have_url(f"{demo.url}/dashboard")
    expect(page.get_by_role("main")).to_contain_text(f"Welcome, {address}")


def test_S_S9_A_PS5_link_opened_in_another_browser_asks_then_signs_in(
    page: Any, demo: Any, new_context: Callable[..., Any]
) -> None:
    address = "dee@example.com"
    ask_for_an_email_link(page, address)
    other = new_context(color_scheme="light").new_page()  # another device, or a scanner
    other.goto(demo.inbox.link_for(address))
    expect(other.get_by_role("heading", name="Confirm sign in")).to_be_visible()
    expect(other.get_by_text("Sign in as")).to_contain_text(address)
    assert session_of(other) in ({}, None)
    other.get_by_role("button", name="Sign in").click()
    expect(other).to_have_url(f"{demo.url}/dashboard")
    expect(other.get_by_role("main")).to_contain_text(f"Welcome, {address}")
    assert session_of(page) in ({}, None)  # the asking browser was not signed in by that


def test_oidc_sign_in_through_the_provider_button(page: Any, demo: Any) -> None:
    page.goto("/api/auth/signin?callbackUrl=/dashboard")
    page.get_by_role("button", name="Sign in with OpenID Connect").click()
    page.wait_for_url(f"{demo.idp}/**")  # the identity provider's own consent form
    page.get_by_placeholder("sub").fill("ada@example.com")
    page.get_by_role("button", name="Authorize").click()
    expect(page).to_have_url(f"{demo.url}/dashboard")
    expect(page.get_by_role("main")).to_contain_text("Welcome, ada@example.com")
    assert session_of(page)["user"]["email"] == "ada@example.com"


def test_S_S4_P_G3_sign_out_of_the_provider_too_and_back_to_the_callback_url(
    page: Any, demo: Any
) -> None:
    """``sign_out_of_provider`` on (``AUTHMW_SIGN_OUT_OF_PROVIDER=1``): the sign-out button
    ends our session, the browser visits the provider's end-session page and comes back through
    ``signout-callback`` to the ``callbackUrl``; signing in again asks the provider again."""
    page.goto("/api/auth/signin?callbackUrl=/dashboard")
    page.get_by_role("button", name="Sign in with OpenID Connect").click()
    page.get_by_placeholder("sub").fill("grace@example.com")
    page.get_by_role("button", name="Authorize").click()
    expect(page).to_have_url(f"{demo.url}/dashboard")
    page.goto("/api/auth/signout?callbackUrl=/dashboard")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{demo.idp}/oauth2/end_session?**")
    query = {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}
    assert query["post_logout_redirect_uri"] == f"{demo.url}/api/auth/signout-callback/oidc"
    assert query["client_id"] == "browser-tests" and len(query["state"]) >= 43
    assert query["id_token_hint"].count(".") == 2
    assert session_of(page) == {}  # ours ended before the browser left
    page.get_by_role("button", name="End session").click()
    # back at the callbackUrl: /dashboard, which now sends an anonymous visitor to sign in
    expect(page).to_have_url(re.compile(r"/api/auth/signin\?callbackUrl=%2Fdashboard$"))
    assert session_of(page) == {}
    assert not [c for c in page.context.cookies() if c["name"].endswith("logout-state")]
    page.get_by_role("button", name="Sign in with OpenID Connect").click()
    expect(page.get_by_placeholder("sub")).to_be_visible()  # the provider asks again


def test_sign_out_confirmation_button(page: Any, sign_in_with_form: Callable[..., None]) -> None:
    sign_in_with_form(page, "alice@example.com", "alice-password")
    page.get_by_role("link", name="Sign out").click()
    expect(page.get_by_text("Are you sure you want to sign out?")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    assert session_of(page) in ({}, None)


def test_anonymous_dashboard_goes_to_sign_in_and_back(page: Any, demo: Any) -> None:
    page.goto("/dashboard")
    expect(page).to_have_url(re.compile(r"/api/auth/signin\?callbackUrl=%2Fdashboard$"))
    fill_sign_in_form(page, "alice@example.com", "alice-password")
    expect(page).to_have_url(f"{demo.url}/dashboard")
    expect(page.get_by_role("main")).to_contain_text("Welcome, alice@example.com")


def test_403_page_as_alice_on_admin_offers_another_account(
    page: Any, demo: Any, sign_in_with_form: Callable[..., None]
) -> None:
    sign_in_with_form(page, "alice@example.com", "alice-password")
    response = page.goto("/admin")
    assert response.status == 403
    assert response.headers["cache-control"] == "no-store"
    expect(page.get_by_role("heading", name="Access denied")).to_be_visible()
    expect(page.get_by_text("Only admins see this page.")).to_have_count(0)
    expect(page.get_by_role("link", name="Back to home page")).to_have_attribute("href", "/")
    page.get_by_role("link", name="Sign in as a different user").click()
    fill_sign_in_form(page, "admin@example.com", "admin-password")
    expect(page).to_have_url(f"{demo.url}/admin")
    expect(page.get_by_text("Only admins see this page.")).to_be_visible()


def test_keyboard_only_sign_in(page: Any, demo: Any) -> None:
    """Tab reaches each field with a visible focus ring; Enter submits. No clicks."""
    page.goto("/api/auth/signin?callbackUrl=/dashboard")
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_attribute("id", "input-credentials-email")
    assert outline_width(page) >= 2
    page.keyboard.type("alice@example.com")
    page.keyboard.press("Tab")
    expect(focused).to_have_attribute("type", "password")
    assert outline_width(page) >= 2
    page.keyboard.type("alice-password")
    page.keyboard.press("Tab")
    expect(focused).to_have_text("Sign in with Email and password")
    assert outline_width(page) >= 2
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{demo.url}/dashboard")
    expect(page.get_by_role("main")).to_contain_text("Welcome, alice@example.com")


def outline_width(page: Any) -> float:
    """The focused element's outline width in px (0 when it has no visible outline)."""
    width: float = page.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement);
            return style.outlineStyle === "none" ? 0 : parseFloat(style.outlineWidth);
        }"""
    )
    return width


EXPIRED = "That form expired — please try again"


def test_S_X1_stale_sign_in_form_lands_on_a_clear_message(page: Any, demo: Any) -> None:
    """The CSRF cookie is gone (a form left open too long): the refusal says so, then works."""
    page.goto("/api/auth/signin?callbackUrl=/dashboard")
    page.context.clear_cookies()
    fill_sign_in_form(page, "alice@example.com", "alice-password")
    page.wait_for_url(re.compile(r"csrf=true"))
    expect(page.get_by_role("alert")).to_contain_text(EXPIRED)
    assert session_of(page) in ({}, None)
    fill_sign_in_form(page, "alice@example.com", "alice-password")
    expect(page.get_by_text("Signed in as")).to_contain_text("alice@example.com")


def test_S_X1_forged_sign_out_token_lands_on_a_clear_message(
    page: Any, sign_in_with_form: Callable[..., None]
) -> None:
    sign_in_with_form(page, "alice@example.com", "alice-password")
    page.goto("/api/auth/signout")
    page.locator("input[name=csrfToken]").evaluate("field => { field.value = 'forged' }")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/api/auth/signout\?csrf=true$"))
    expect(page.get_by_role("alert")).to_contain_text(EXPIRED)
    assert session_of(page)["user"]["email"] == "alice@example.com"  # nothing happened
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    assert session_of(page) in ({}, None)


def test_S_X4_issue_8_built_in_forms_post_our_origin_never_null(page: Any, demo: Any) -> None:
    """Issue 8: under ``Referrer-Policy: no-referrer`` Chromium sent ``Origin: null`` and the
    built-in forms were refused. Every POST they make must carry the demo's own origin."""
    posts: list[Any] = []
    page.on("request", lambda request: posts.append(request) if request.method == "POST" else 0)
    page.goto("/api/auth/signin")
    fill_sign_in_form(page, "alice@example.com", "alice-password")
    expect(page.get_by_text("Signed in as")).to_contain_text("alice@example.com")
    response = page.goto("/api/auth/signout")
    assert response.headers["referrer-policy"] == "same-origin"
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    page.goto("/api/auth/signin")
    form = page.locator("form").filter(has=page.get_by_role("button", name="Sign in with Email"))
    form = form.filter(has_not=page.get_by_label("Password"))
    form.get_by_label("Email").fill("cy@example.com")
    form.get_by_role("button", name="Sign in with Email").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    paths = [request.url.removeprefix(demo.url) for request in posts]
    assert paths == [
        "/api/auth/callback/credentials",
        "/api/auth/signout",
        "/api/auth/signin/email",
    ]
    for request in posts:
        headers = request.all_headers()
        assert headers["origin"] == demo.url, (request.url, headers)
