"""The built-in pages: content, escaping, accessibility basics, theming and overrides."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from authmw.errors import ERROR_PAGE_CODES, SIGNIN_ERROR_CODES, ConfigurationError
from authmw.pages import (
    ERROR_PAGE_MESSAGES,
    SIGNIN_ERROR_MESSAGES,
    PageRenderer,
    Theme,
    error_page_status,
    signin_error_message,
)

XSS = '"><script>alert(1)</script><img src=x onerror=alert(2)>'

GITHUB = {
    "id": "github",
    "name": "GitHub",
    "type": "oauth",
    "signinUrl": "/api/auth/signin/github",
    "callbackUrl": "/api/auth/callback/github",
    "style": {"logo": "https://cdn.example.com/github.svg", "bg": "#24292f", "text": "#fff"},
}
GOOGLE = {
    "id": "google",
    "name": "Google",
    "type": "oidc",
    "signinUrl": "/api/auth/signin/google",
    "callbackUrl": "/api/auth/callback/google",
}
EMAIL = {
    "id": "email",
    "name": "Email",
    "type": "email",
    "signinUrl": "/api/auth/signin/email",
    "callbackUrl": "/api/auth/callback/email",
}
CREDENTIALS = {
    "id": "credentials",
    "name": "Credentials",
    "type": "credentials",
    "signinUrl": "/api/auth/signin/credentials",
    "callbackUrl": "/api/auth/callback/credentials",
    "fields": [
        {"name": "email", "label": "Email", "type": "email", "placeholder": "you@example.com"},
        {"name": "password", "label": "Password", "type": "password"},
    ],
}
ALL = [GITHUB, GOOGLE, EMAIL, CREDENTIALS]


class Page(HTMLParser):
    """Collects what the tests look at: tags with attributes, text, ids, labels."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.stack: list[str] = []
        self.title = ""
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        if tag not in ("meta", "input", "img", "br", "link"):
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))  # SVG's <rect/>, <path/>

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"misnested </{tag}> in {self.stack}"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] == "title":
            self.title += data
        elif self.stack and self.stack[-1] != "style":
            self.text.append(data)

    def all(self, tag: str, **match: str) -> list[dict[str, str]]:
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in match.items())
        ]

    @property
    def words(self) -> str:
        return " ".join(" ".join(self.text).split())


@pytest.fixture
def renderer() -> PageRenderer:
    return PageRenderer()


def render_all(r: PageRenderer) -> dict[str, str]:
    return {
        "signin": r.sign_in(
            providers=ALL, csrf_token="tok", callback_url="/dash", error="OAuthSignin"
        ),
        "signout": r.sign_out(csrf_token="tok", callback_url="/", action_url="/api/auth/signout"),
        "error": r.error(code="AccessDenied", sign_in_url="/api/auth/signin", home_url="/"),
        "verify_request": r.verify_request(host="example.com", home_url="https://example.com"),
        "forbidden": r.forbidden(home_url="/"),
        "confirm_sign_in": r.confirm_sign_in(
            address="alice@example.com",
            action_url="/api/auth/callback/email",
            csrf_token="tok",
            fields={"token": "t" * 43, "email": "alice@example.com", "callbackUrl": "/"},
        ),
    }


# --- messages -----------------------------------------------------------------------------


def test_every_nextauth_code_has_a_message() -> None:
    assert set(SIGNIN_ERROR_MESSAGES) == set(SIGNIN_ERROR_CODES) | {"Default"}
    assert set(ERROR_PAGE_MESSAGES) == set(ERROR_PAGE_CODES)
    assert SIGNIN_ERROR_MESSAGES["Default"] == "Unable to sign in."
    assert signin_error_message("CredentialsSignin").startswith("Sign in failed.")


@pytest.mark.parametrize("code", [XSS, "", "default", "__class__", None, 42, ["OAuthSignin"]])
def test_B_P10_unknown_signin_code_gets_default_message(code: object) -> None:
    assert signin_error_message(code) == "Unable to sign in."


@pytest.mark.parametrize(
    ("code", "status"),
    [("Configuration", 500), ("AccessDenied", 403), ("Verification", 403), ("Default", 200)],
)
def test_error_page_status_as_nextauth(code: str, status: int) -> None:
    assert error_page_status(code) == status
    assert error_page_status(XSS) == 200


# --- structure and accessibility ---------------------------------------------------------


@pytest.mark.parametrize(
    "theme", [Theme(), Theme(color_scheme="dark", brand_color="#0a0", logo="/logo.png")]
)
def test_every_page_is_a_complete_accessible_document(theme: Theme) -> None:
    for name, html in render_all(PageRenderer(theme)).items():
        assert html.startswith("<!DOCTYPE html>\n"), name
        page = Page(html)
        assert not page.stack, f"{name}: unclosed {page.stack}"
        assert page.all("html", lang="en"), name
        assert page.all("meta", charset="utf-8"), name
        assert page.all("meta", name="viewport"), name
        assert page.title.strip(), name
        assert len(page.all("main")) == 1, name
        assert len(page.all("h1")) == 1, name
        ids = [a["id"] for _, a in page.tags if "id" in a]
        assert len(ids) == len(set(ids)), f"{name}: duplicate ids"
        labelled = {a["for"] for a in page.all("label")}
        for field in page.all("input"):
            if field["type"] != "hidden":
                assert field["id"] in labelled, f"{name}: unlabelled {field}"
        assert not page.all("script"), name
        assert not page.all("link"), name  # no external stylesheets
        assert "tabindex" not in html, name  # DOM order is the tab order
        assert ":focus-visible" in html, name


def test_pages_load_nothing_external_by_default(renderer: PageRenderer) -> None:
    for name, html in render_all(renderer).items():
        if name == "signin":
            html = html.replace(GITHUB["style"]["logo"], "")  # the provider's own logo
        assert "http://" not in html and "https://cdn" not in html, name
        assert "@import" not in html and "url(" not in html, name


def test_auto_theme_follows_prefers_color_scheme(renderer: PageRenderer) -> None:
    html = renderer.forbidden(home_url="/")
    assert 'class="theme-auto"' in html
    assert "@media (prefers-color-scheme: dark)" in html
    assert '<meta name="color-scheme" content="light dark">' in html


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_fixed_color_scheme(scheme: str) -> None:
    html = PageRenderer(Theme(color_scheme=scheme)).forbidden(home_url="/")  # type: ignore[arg-type]
    assert f'class="theme-{scheme}"' in html
    assert f'<meta name="color-scheme" content="{scheme}">' in html


def test_brand_colour_and_button_text_become_css_custom_properties() -> None:
    html = PageRenderer(Theme(brand_color="rgb(22, 163, 74)", button_text="#111")).sign_out(
        csrf_token="t", callback_url="/", action_url="/so"
    )
    assert "--brand-color: rgb(22, 163, 74);" in html
    assert "--button-text-color: #111;" in html
    assert "background: var(--brand-color)" in html


def test_theme_logo_is_shown_above_the_card() -> None:
    page = Page(
        PageRenderer(Theme(logo="https://example.com/a.png?x=1&y=2")).forbidden(home_url="/")
    )
    assert page.all("img", src="https://example.com/a.png?x=1&y=2", alt="")


# --- sign-in page ----------------------------------------------------------------------------


def test_signin_page_has_one_form_per_provider(renderer: PageRenderer) -> None:
    html = renderer.sign_in(providers=ALL, csrf_token="tok123", callback_url="/dash")
    page = Page(html)
    forms = page.all("form")
    assert [f["action"] for f in forms] == [
        "/api/auth/signin/github",
        "/api/auth/signin/google",
        "/api/auth/signin/email",
        "/api/auth/callback/credentials",
    ]
    assert all(f["method"] == "post" for f in forms)
    assert len(page.all("input", type="hidden", name="csrfToken", value="tok123")) == 4
    assert len(page.all("input", type="hidden", name="callbackUrl", value="/dash")) == 4
    for name in ("GitHub", "Google", "Email", "Credentials"):
        assert f"Sign in with {name}" in page.words
    assert not page.all("div", role="alert")


def test_signin_oauth_button_uses_provider_style(renderer: PageRenderer) -> None:
    page = Page(renderer.sign_in(providers=[GITHUB], csrf_token="t", callback_url="/"))
    (button,) = page.all("button")
    assert button["style"] == "--provider-bg: #24292f; --provider-text: #fff;"
    assert page.all("img", src="https://cdn.example.com/github.svg", alt="")


def test_signin_email_input_is_labelled_prefilled_and_escaped(renderer: PageRenderer) -> None:
    html = renderer.sign_in(providers=[EMAIL], csrf_token="t", callback_url="/", email=XSS)
    page = Page(html)
    (field,) = page.all("input", name="email")
    assert field["type"] == "email" and field["autocomplete"] == "email"
    assert field["value"] == XSS  # round-trips as data ...
    assert "<script>" not in html and "<img src=x" not in html  # ... never as markup
    assert page.all("label", **{"for": field["id"]})


def test_signin_credentials_fields_are_labelled_with_autocomplete(renderer: PageRenderer) -> None:
    page = Page(renderer.sign_in(providers=[CREDENTIALS], csrf_token="t", callback_url="/"))
    email, password = (a for a in page.all("input") if a["type"] != "hidden")
    assert (email["name"], email["type"], email["autocomplete"]) == ("email", "email", "email")
    assert email["placeholder"] == "you@example.com"
    assert password["autocomplete"] == "current-password"
    labels = {a["for"] for a in page.all("label")}
    assert {email["id"], password["id"]} <= labels
    assert "Email" in page.words and "Password" in page.words


def test_signin_credentials_field_defaults_and_odd_types(renderer: PageRenderer) -> None:
    provider = {
        **CREDENTIALS,
        "fields": [
            {"name": "username"},
            {"name": "otp", "type": "onmouseover", "autocomplete": "one-time-code"},
        ],
    }
    page = Page(renderer.sign_in(providers=[provider], csrf_token="t", callback_url="/"))
    user, otp = (a for a in page.all("input") if a["type"] != "hidden")
    assert user["autocomplete"] == "username" and user["type"] == "text"
    assert otp["type"] == "text" and otp["autocomplete"] == "one-time-code"
    assert "Username" in page.words


def test_signin_ids_stay_unique_and_valid_for_odd_provider_ids(renderer: PageRenderer) -> None:
    odd = [{**CREDENTIALS, "id": "a b"}, {**CREDENTIALS, "id": "a-b"}]
    page = Page(renderer.sign_in(providers=odd, csrf_token="t", callback_url="/"))
    ids = [a["id"] for a in page.all("input") if "id" in a]
    assert len(ids) == 4 == len(set(ids))
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+", i) for i in ids)


@pytest.mark.parametrize(
    ("providers", "separators"),
    [
        ([GITHUB], 0),
        ([GITHUB, GOOGLE], 0),
        ([GITHUB, EMAIL], 1),
        ([EMAIL, GITHUB], 1),
        ([GITHUB, GOOGLE, EMAIL, CREDENTIALS], 2),
        ([EMAIL, CREDENTIALS], 1),
        ([GITHUB, EMAIL, GOOGLE], 2),
    ],
)
def test_signin_or_separators_between_groups(
    renderer: PageRenderer, providers: list[dict[str, Any]], separators: int
) -> None:
    html = renderer.sign_in(providers=providers, csrf_token="t", callback_url="/")
    assert html.count('<div class="divider"><span>or</span></div>') == separators
    assert not Page(html).stack


def test_signin_skips_unknown_provider_types_and_handles_none(renderer: PageRenderer) -> None:
    weird = {"id": "w", "name": "Weird", "type": "webauthn", "signinUrl": "/w"}
    html = renderer.sign_in(providers=[weird], csrf_token="t", callback_url="/")
    assert "Weird" not in html
    assert "No sign-in methods are configured." in html
    odd = {**CREDENTIALS, "style": "bg:red", "fields": ["password", None, {"name": "pin"}]}
    page = Page(renderer.sign_in(providers=[odd], csrf_token="t", callback_url="/"))
    (pin,) = (a for a in page.all("input") if a["type"] != "hidden")
    assert pin["name"] == "pin" and "autocomplete" not in pin


@pytest.mark.parametrize("code", sorted(SIGNIN_ERROR_MESSAGES))
def test_signin_error_is_an_alert_with_the_mapped_message(
    renderer: PageRenderer, code: str
) -> None:
    page = Page(renderer.sign_in(providers=ALL, csrf_token="t", callback_url="/", error=code))
    assert len(page.all("div", role="alert")) == 1
    assert SIGNIN_ERROR_MESSAGES[code] in page.words
    if code != "Default":
        assert code not in page.words


def test_B_P10_signin_page_never_reflects_the_error_code(renderer: PageRenderer) -> None:
    html = renderer.sign_in(providers=ALL, csrf_token="t", callback_url="/", error=XSS)
    assert "Unable to sign in." in html
    assert "script" not in html and "onerror" not in html and "alert(" not in html


def test_B_P11_callback_url_is_escaped_in_hidden_fields(renderer: PageRenderer) -> None:
    html = renderer.sign_in(providers=ALL, csrf_token="t", callback_url=XSS, error="OAuthSignin")
    assert "<script>" not in html and "<img src=x" not in html
    assert 'value="&#34;&gt;&lt;script&gt;' in html
    page = Page(html)
    assert len(page.all("input", name="callbackUrl", value=XSS)) == 4
    out = renderer.sign_out(csrf_token=XSS, callback_url=XSS, action_url="/api/auth/signout")
    assert "<script>" not in out
    assert len(Page(out).all("input", type="hidden", value=XSS)) == 2


def test_P_E4_provider_values_are_data(renderer: PageRenderer) -> None:
    evil = {
        "id": 'x" onfocus="alert(1)',
        "name": "<img src=x onerror=alert(1)>",
        "type": "credentials",
        "signinUrl": "/s",
        "callbackUrl": "/c",
        "style": {
            "logo": "javascript:alert(1)",
            "bg": "red; background-image: url(https://evil.example/)",
            "text": "</style><script>alert(1)</script>",
        },
        "fields": [{"name": '"><b>', "label": "<i>Label</i>", "placeholder": '" autofocus'}],
    }
    oauth = {**evil, "type": "oauth", "style": {"logo": "//evil.example/x.png", "bg": "#zzz"}}
    html = renderer.sign_in(providers=[evil, oauth], csrf_token="t", callback_url="/")
    page = Page(html)
    assert "<img src=x" not in html and "<i>Label" not in html and "<b>" not in html
    assert "javascript:" not in html and "evil.example" not in html
    assert "<script>" not in html and 'onfocus="' not in html
    assert "Sign in with <img src=x onerror=alert(1)>" in page.words
    assert "style=" not in html.split("<body>", 1)[1]
    (field,) = (a for a in page.all("input") if a["type"] != "hidden")
    assert field["name"] == '"><b>' and field["placeholder"] == '" autofocus'
    assert "autofocus" not in field


# --- other pages ------------------------------------------------------------------------------


def test_signout_page(renderer: PageRenderer) -> None:
    html = renderer.sign_out(csrf_token="tok", callback_url="/bye", action_url="/api/auth/signout")
    page = Page(html)
    assert "Are you sure you want to sign out?" in page.words
    (form,) = page.all("form")
    assert form == {"action": "/api/auth/signout", "method": "post"}
    assert page.all("input", type="hidden", name="csrfToken", value="tok")
    assert page.all("input", type="hidden", name="callbackUrl", value="/bye")
    assert page.all("button", type="submit")


@pytest.mark.parametrize("code", sorted(ERROR_PAGE_MESSAGES))
def test_error_page_heading_text_and_links(renderer: PageRenderer, code: str) -> None:
    html = renderer.error(code=code, sign_in_url="/api/auth/signin", home_url="https://ex.com/")
    page = Page(html)
    heading, text = ERROR_PAGE_MESSAGES[code]
    assert page.title == heading
    assert heading in page.words and text in page.words
    links = [a["href"] for a in page.all("a")]
    assert "https://ex.com/" in links
    assert ("/api/auth/signin" in links) == (code != "Configuration")


def test_B_P10_error_page_shows_default_for_unknown_code(renderer: PageRenderer) -> None:
    html = renderer.error(code=XSS, sign_in_url="/s", home_url="/")
    heading, text = ERROR_PAGE_MESSAGES["Default"]
    assert heading in html and text in html
    assert "script" not in html and "onerror" not in html and "alert(" not in html


def test_verify_request_page_names_the_host(renderer: PageRenderer) -> None:
    page = Page(
        renderer.verify_request(host="shop.example.com", home_url="https://shop.example.com")
    )
    assert page.title == "Check your email"
    assert "A sign in link has been sent to your email address." in page.words
    assert "shop.example.com" in page.words
    assert page.all("a", href="https://shop.example.com")
    escaped = renderer.verify_request(host="<b>h</b>", home_url="/")
    assert "<b>h" not in escaped and "&lt;b&gt;h&lt;/b&gt;" in escaped


def test_forbidden_page(renderer: PageRenderer) -> None:
    page = Page(renderer.forbidden(home_url="/home"))
    assert page.title == "Access denied"
    assert "permission" in page.words
    assert page.all("a", href="/home")


# --- theme validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "color", ["#fff", "#FFFFFF", "#12345678", "rgb(1, 2, 3)", "rgba(1,2,3,.5)", "rebeccapurple"]
)
def test_theme_accepts_css_colours(color: str) -> None:
    assert Theme(brand_color=color, button_text=color).brand_color == color


@pytest.mark.parametrize(
    "color",
    ["", "#ff", "#fffff", "red;x:y", "url(x)", "rgb(1,2,3);}", "</style>", "expression(alert(1))"],
)
def test_theme_rejects_bad_colours(color: str) -> None:
    with pytest.raises(ValueError):
        Theme(brand_color=color)
    with pytest.raises(ConfigurationError):
        Theme(button_text=color)


@pytest.mark.parametrize("logo", ["https://ex.com/l.png", "http://ex.com/l.svg", "/l.png", "l.png"])
def test_theme_accepts_logo_urls(logo: str) -> None:
    assert Theme(logo=logo).logo == logo


@pytest.mark.parametrize(
    "logo",
    [
        "javascript:alert(1)",
        "data:image/svg+xml,<svg onload=alert(1)>",
        "//evil.example/x.png",
        "https://",
        "/a b.png",
        "/a\\b.png",
        'x" onerror="y',
        "",
    ],
)
def test_theme_rejects_bad_logo_urls(logo: str) -> None:
    with pytest.raises(ValueError):
        Theme(logo=logo)


def test_theme_rejects_unknown_color_scheme() -> None:
    with pytest.raises(ValueError):
        Theme(color_scheme="sepia")  # type: ignore[arg-type]


# --- overrides and loading --------------------------------------------------------------------


def test_user_template_dir_overrides_one_page(tmp_path: Path) -> None:
    (tmp_path / "signin.html").write_text(
        '{% extends "base.html" %}{% block title %}Log in{% endblock %}'
        "{% block content %}<h1>Welcome {{ providers[0].name }}</h1>{% endblock %}"
    )
    renderer = PageRenderer(template_dirs=[tmp_path])
    page = Page(
        renderer.sign_in(providers=[{**GITHUB, "name": XSS}], csrf_token="t", callback_url="/")
    )
    assert page.title == "Log in"
    assert f"Welcome {XSS}" in page.words  # autoescape applies to user templates too
    assert page.all("main")  # the built-in layout is still used
    assert "Are you sure" in renderer.sign_out(csrf_token="t", callback_url="/", action_url="/")


def test_user_template_can_extend_the_builtin_page(tmp_path: Path) -> None:
    (tmp_path / "signin.html").write_text(
        '{% extends "authmw/signin.html" %}{% block heading %}Log in to Acme{% endblock %}'
    )
    html = PageRenderer(template_dirs=[str(tmp_path)]).sign_in(
        providers=ALL, csrf_token="t", callback_url="/"
    )
    assert "<h1>Log in to Acme</h1>" in html
    assert "Sign in with GitHub" in html


def test_user_base_layout_overrides_every_page(tmp_path: Path) -> None:
    (tmp_path / "base.html").write_text(
        '<!DOCTYPE html><html lang="de"><title>{% block title %}{% endblock %}</title>'
        "<main>{% block content %}{% endblock %}</main></html>"
    )
    for html in render_all(PageRenderer(template_dirs=[tmp_path])).values():
        assert '<html lang="de">' in html


def test_templates_are_loaded_once(tmp_path: Path) -> None:
    custom = tmp_path / "forbidden.html"
    custom.write_text("first {{ home_url }}")
    renderer = PageRenderer(template_dirs=[tmp_path])
    custom.write_text("second {{ home_url }}")
    custom.unlink()
    assert renderer.forbidden(home_url="/h") == "first /h"


def test_missing_template_dir_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError):
        PageRenderer(template_dirs=[tmp_path / "nope"])


def test_S_S9_confirmation_page_names_the_address_and_escapes_every_value(
    renderer: PageRenderer,
) -> None:
    html = renderer.confirm_sign_in(
        address=XSS,
        action_url="/api/auth/callback/email",
        csrf_token=XSS,
        fields={"token": XSS, "email": XSS, "callbackUrl": XSS},
    )
    assert "<script>" not in html and "<img src=x" not in html
    page = Page(html)
    assert len(page.all("input", type="hidden", value=XSS)) == 4
    assert len(page.all("form", method="post", action="/api/auth/callback/email")) == 1
    assert len(page.all("button", type="submit")) == 1
    assert "Sign in as <strong>&#34;&gt;&lt;script&gt;" in html
