"""Configuration errors surface at construction, never at the first request."""

from __future__ import annotations

from typing import Any

import pytest

from authmw import Auth, ConfigurationError, CredentialsProvider, Pages, SessionOptions

SECRET = "k" * 40


def build(**options: Any) -> Auth:
    options.setdefault("secret", SECRET)
    options.setdefault("url", "https://app.example")
    return Auth(**options)


def test_P_I1_missing_secret_is_a_startup_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AUTHMW_SECRET", raising=False)
    with pytest.raises(ConfigurationError, match="secret is required"):
        Auth(url="https://app.example")


@pytest.mark.parametrize("secret", ["short", "", ["x" * 40, "short"], [], 42])
def test_P_I1_weak_or_malformed_secret_is_rejected(secret: Any) -> None:
    with pytest.raises(ConfigurationError):
        build(secret=secret)


def test_environment_fallbacks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTHMW_SECRET", SECRET)
    monkeypatch.setenv("AUTHMW_URL", "https://env.example/")
    auth = Auth()
    assert auth.url == "https://env.example"
    assert auth.secrets == (SECRET,)


def test_B_H1_url_required_unless_host_trusted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AUTHMW_URL", raising=False)
    monkeypatch.delenv("AUTHMW_TRUST_HOST", raising=False)
    with pytest.raises(ConfigurationError, match="url is required"):
        Auth(secret=SECRET)
    monkeypatch.setenv("AUTHMW_TRUST_HOST", "true")
    assert Auth(secret=SECRET).url is None


@pytest.mark.parametrize(
    "url", ["ftp://x.example", "app.example", "https://app.example/?q=1", "https://u:p@app.example"]
)
def test_bad_url_is_rejected(url: str) -> None:
    with pytest.raises(ConfigurationError):
        build(url=url)


def test_duplicate_provider_id_is_rejected() -> None:
    def authorize(credentials: dict[str, str], request: Any) -> None:
        return None

    fields = {"email": {"label": "Email"}}
    providers = [
        CredentialsProvider(authorize=authorize, credentials=fields),
        CredentialsProvider(authorize=authorize, credentials=fields),
    ]
    with pytest.raises(ConfigurationError, match="duplicate provider id"):
        build(providers=providers)


@pytest.mark.parametrize(
    "options",
    [
        {"session": {"strategy": "cookie"}},
        {"session": {"max_age": 0}},
        {"session": {"update_age": -1}},
        {"session": {"unknown": 1}},
        {"session": {"strategy": "database"}},
        {"pages": {"sign_in": "login"}},
        {"pages": {"nope": "/x"}},
        {"base_path": "api/auth"},
        {"base_path": "/api//auth"},
        {"callbacks": {"jwt": "not callable"}},
        {"callbacks": {"unknown": print}},
        {"events": {"sign_in": 3}},
        {"cookies": {"session": {}}},
        {"cookies": {"session_token": {"color": "red"}}},
        {"cookies": {"session_token": {"same_site": "None"}}, "url": "http://localhost"},
        {"cookie_prefix": "bad prefix!"},
        {"providers": ["github"]},
        {"theme": {"brand_color": "red;}body{display:none"}},
    ],
)
def test_malformed_option_is_a_configuration_error(options: dict[str, Any]) -> None:
    with pytest.raises((ConfigurationError, ValueError)):
        build(**options)


@pytest.mark.parametrize(
    ("options", "hint"),
    [
        ({"session": {"maxAge": 60}}, "'maxAge' (did you mean 'max_age'?)"),
        ({"session": {"updateAge": 60}}, "'updateAge' (did you mean 'update_age'?)"),
        ({"pages": {"signIn": "/login"}}, "'signIn' (did you mean 'sign_in'?)"),
        (
            {"pages": {"verifyRequest": "/check"}},
            "'verifyRequest' (did you mean 'verify_request'?)",
        ),
        ({"callbacks": {"signIn": lambda: True}}, "'signIn' (did you mean 'sign_in'?)"),
        ({"events": {"signOut": lambda: None}}, "'signOut' (did you mean 'sign_out'?)"),
    ],
)
def test_nextauth_spellings_get_a_did_you_mean(options: dict[str, Any], hint: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        build(**options)
    assert hint in str(caught.value)


def test_credentials_provider_validates_fields() -> None:
    with pytest.raises(ConfigurationError):
        CredentialsProvider(authorize=lambda c, r: None, credentials={})
    with pytest.raises(ConfigurationError):
        CredentialsProvider(authorize=lambda c, r: None, credentials={"csrfToken": {}})
    with pytest.raises(ConfigurationError):
        CredentialsProvider(authorize="nope", credentials={"email": {}})  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError):
        CredentialsProvider(authorize=lambda c, r: None, credentials={"a": {}}, id="Bad Id")


def test_options_objects_are_accepted_as_is() -> None:
    auth = build(session=SessionOptions(max_age=60, update_age=10), pages=Pages(sign_in="/login"))
    assert auth.session_options.max_age == 60
    assert auth.pages.sign_in == "/login"
    assert auth.session_options.strategy == "jwt"


def test_repr_hides_secrets() -> None:
    auth = build(secret=[SECRET, "z" * 40])
    assert SECRET not in repr(auth)
    assert "2 hidden" in repr(auth)


def test_S_C4_secure_cookie_names_over_https() -> None:
    auth = build()
    cookies = auth.realm({}).cookies
    assert cookies.session_token.name == "__Host-authmw.session-token"
    assert cookies.csrf_token.name == "__Host-authmw.csrf-token"
    assert cookies.callback_url.name == "__Host-authmw.callback-url"
    assert cookies.state.name == "__Secure-authmw.state"
    plain = build(url="http://localhost").realm({}).cookies
    assert plain.session_token.name == "authmw.session-token"
    assert plain.csrf_token.name == "authmw.csrf-token"


def test_S_C4_a_domain_or_path_override_falls_back_to_secure() -> None:
    shared = build(cookies={"session_token": {"domain": "app.example"}}).realm({}).cookies
    assert shared.session_token.name == "__Secure-authmw.session-token"
    scoped = build(cookies={"callback_url": {"path": "/app"}}).realm({}).cookies
    assert scoped.callback_url.name == "__Secure-authmw.callback-url"
    assert scoped.session_token.name == "__Host-authmw.session-token"


def test_cookie_prefix_next_auth_matches_nextauth_names() -> None:
    auth = build(cookie_prefix="next-auth", session={"scheme": "v4"})
    assert auth.realm({}).cookies.session_token.name == "__Secure-next-auth.session-token"
