"""Magic links opened in another browser confirm with a POST; the requesting browser signs in
directly (S-S9, A-PS5, B-E7). Real SQLite file, links captured from the provider's sender."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
import webtest

from authmw import Auth
from authmw.adapters.sql import SQLAdapter
from authmw.providers.email import EmailProvider

SECRET = "c" * 32 + "-email-confirm-tests"
SESSION = "authmw.session-token"
LINK_COOKIE = "authmw.email-link"
VERIFICATION = "http://localhost/api/auth/error?error=Verification"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLAdapter]:
    adapter = SQLAdapter(tmp_path / "confirm.sqlite3", create_tables=True)
    yield adapter
    adapter.close()


class Site:
    """The app and the links its e-mail provider sent."""

    def __init__(self, store: SQLAdapter, url: str = "http://localhost", **options: Any) -> None:
        self.links: list[str] = []
        provider = EmailProvider(send_verification_request=self._send, max_age=600)
        options.setdefault("secret", SECRET)
        auth = Auth(url=url, adapter=store, providers=[provider], **options)
        self.app = auth.wrap(_echo)
        self.store = store

    def _send(self, url: str) -> None:
        self.links.append(url)

    def browser(self) -> webtest.TestApp:
        """A new browser, with its own cookies."""
        return webtest.TestApp(self.app)

    def request_link(self, browser: webtest.TestApp, address: str = "alice@example.com") -> str:
        """Ask for a link in *browser* (the built-in form's POST); the path of the link sent."""
        token = browser.get("/api/auth/csrf").json["csrfToken"]
        form = {"csrfToken": token, "email": address, "callbackUrl": "/dashboard"}
        browser.post("/api/auth/signin/email", form)
        parts = urlsplit(self.links[-1])
        return f"{parts.path}?{parts.query}"

    def tokens(self) -> int:
        with self.store.engine.connect() as conn:
            table = self.store.tokens
            return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def _echo(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def signed_in_as(browser: webtest.TestApp) -> str | None:
    session = browser.get("/api/auth/session").json
    return session["user"]["email"] if session else None


def set_cookies(response: webtest.TestResponse) -> str:
    return " ".join(response.headers.getall("Set-Cookie"))


def test_S_S9_A_PS5_the_requesting_browser_signs_in_directly(store: SQLAdapter) -> None:
    site = Site(store)
    browser = site.browser()
    link = site.request_link(browser)
    done = browser.get(link)
    assert done.status_int == 302 and done.location == "http://localhost/dashboard"
    assert signed_in_as(browser) == "alice@example.com"
    assert f"{LINK_COOKIE}=; " in set_cookies(done)  # the mark is removed once used
    assert site.tokens() == 0


def test_S_S9_A_PS5_B_E7_another_browser_gets_a_page_and_GET_or_HEAD_consume_nothing(
    store: SQLAdapter,
) -> None:
    site = Site(store)
    link = site.request_link(site.browser())
    other = site.browser()
    for _ in range(2):
        page = other.get(link)
        assert page.status_int == 200 and page.content_type == "text/html"
        assert "Sign in as <strong>alice@example.com</strong>?" in page.text
        assert SESSION not in set_cookies(page)
        head = other.head(link)
        assert head.status_int == 200 and head.body == b""
    assert site.tokens() == 1 and signed_in_as(other) is None
    # The page is not cached, not framed, and its own form may post with our Origin (issue 8).
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Referrer-Policy"] == "same-origin"
    form = page.forms[0]
    assert form.method.upper() == "POST"
    assert form.action == "http://localhost/api/auth/callback/email"
    assert set(form.fields) - {None} == {"csrfToken", "token", "email", "callbackUrl"}
    query = parse_qs(urlsplit(link).query)
    assert form["token"].value == query["token"][0] and form["email"].value == "alice@example.com"
    assert form["callbackUrl"].value == "http://localhost/dashboard"


def test_S_S9_A_PS5_the_confirmation_POST_with_its_csrf_token_signs_in(store: SQLAdapter) -> None:
    site = Site(store)
    link = site.request_link(site.browser())
    other = site.browser()
    done = other.get(link).forms[0].submit()
    assert done.status_int == 302 and done.location == "http://localhost/dashboard"
    assert signed_in_as(other) == "alice@example.com"
    assert site.tokens() == 0


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda fields: fields.pop("csrfToken"), id="no-csrf-token"),
        pytest.param(lambda fields: fields.update(csrfToken="x" * 64), id="wrong-csrf-token"),
    ],
)
def test_S_S9_A_PS5_a_confirmation_POST_without_the_right_csrf_token_is_refused(
    store: SQLAdapter, forge: Callable[[dict[str, str]], object]
) -> None:
    site = Site(store)
    link = site.request_link(site.browser())
    other = site.browser()
    fields = dict(other.get(link).forms[0].submit_fields())
    forge(fields)
    refused = other.post("/api/auth/callback/email", fields)
    assert refused.location == "http://localhost/api/auth/signin?csrf=true"
    assert SESSION not in set_cookies(refused) and site.tokens() == 1
    # Nor from another site with the page's own fields: a cross-site form cannot confirm.
    page_fields = dict(other.get(link).forms[0].submit_fields())
    cross = other.post(
        "/api/auth/callback/email", page_fields, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert cross.location == "http://localhost/api/auth/signin?csrf=true"
    assert signed_in_as(other) is None and site.tokens() == 1


def test_S_S9_A_PS5_a_replayed_confirmation_POST_is_Verification(store: SQLAdapter) -> None:
    site = Site(store)
    link = site.request_link(site.browser())
    other = site.browser()
    page = other.get(link)
    csrf_cookie = other.cookies["authmw.csrf-token"]  # the exact request, cookies and body
    assert page.forms[0].submit().location == "http://localhost/dashboard"
    replay = site.browser()
    fields = dict(page.forms[0].submit_fields())
    replay.set_cookie("authmw.csrf-token", csrf_cookie)
    again = replay.post("/api/auth/callback/email", fields)
    assert again.location == VERIFICATION
    assert SESSION not in set_cookies(again) and signed_in_as(replay) is None


def test_S_S9_A_PS5_only_the_link_the_browser_asked_for_signs_in_directly(
    store: SQLAdapter,
) -> None:
    """Login CSRF by link: the victim asked for a link of their own, then opens one the
    attacker asked for (to sign the victim in as the attacker): that one needs a click."""
    site = Site(store)
    victim = site.browser()
    site.request_link(victim, "victim@example.com")
    attackers_link = site.request_link(site.browser(), "mallory@example.com")
    page = victim.get(attackers_link)
    assert page.status_int == 200 and "mallory@example.com" in page.text
    assert signed_in_as(victim) is None and site.tokens() == 2


def test_S_S9_A_PS5_a_forged_or_foreign_mark_does_not_count(store: SQLAdapter) -> None:
    site = Site(store)
    asker = site.browser()
    link = site.request_link(asker)
    mark = asker.cookies[LINK_COOKIE]
    token = parse_qs(urlsplit(link).query)["token"][0]
    plain = hashlib.sha256(("authmw.email-link:" + token).encode()).hexdigest()
    for forged in (mark[:-4] + ("AAAA" if not mark.endswith("AAAA") else "BBBB"), plain):
        browser = site.browser()
        browser.set_cookie(LINK_COOKIE, forged)
        assert browser.get(link).status_int == 200
    foreign = Site(store, secret="o" * 40)  # a mark signed by another app's secret
    browser = foreign.browser()
    browser.set_cookie(LINK_COOKIE, mark)
    assert browser.get(link).status_int == 200
    assert site.tokens() == 1


def test_S_S9_A_PS5_email_link_cookie_is_httponly_lax_and_short_lived(store: SQLAdapter) -> None:
    site = Site(store)
    browser = site.browser()
    token = browser.get("/api/auth/csrf").json["csrfToken"]
    sent = browser.post("/api/auth/signin/email", {"csrfToken": token, "email": "a@example.com"})
    (cookie,) = [c for c in sent.headers.getall("Set-Cookie") if c.startswith(LINK_COOKIE)]
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "path", "max-age"} <= attributes and "domain" not in attributes
    assert "SameSite=Lax" in cookie and "Max-Age=600" in cookie
    assert sent.location == "http://localhost/api/auth/verify-request?provider=email&type=email"


@pytest.mark.parametrize(
    ("prefix", "name"),
    [("authmw", "__Host-authmw.email-link"), ("next-auth", "__Host-next-auth.email-link")],
)
def test_S_S9_S_C4_email_link_cookie_is_host_prefixed_over_https(
    store: SQLAdapter, prefix: str, name: str
) -> None:
    site = Site(store, url="https://app.example", cookie_prefix=prefix)
    browser = site.browser()
    token = browser.get("https://app.example/api/auth/csrf").json["csrfToken"]
    sent = browser.post(
        "https://app.example/api/auth/signin/email",
        {"csrfToken": token, "email": "a@example.com"},
    )
    (cookie,) = [c for c in sent.headers.getall("Set-Cookie") if c.startswith(name + "=")]
    assert "Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie
    link = urlsplit(site.links[-1])
    done = browser.get(f"https://app.example{link.path}?{link.query}")
    assert done.status_int == 302  # the same browser: signed in without a page
