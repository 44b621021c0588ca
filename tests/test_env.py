"""NextAuth's variable names as fallbacks, so a Next.js project's ``.env`` works as it is."""

from __future__ import annotations

import logging

import pytest

from authmw import Auth, ConfigurationError
from authmw.providers.presets import from_environment

A = "a" * 40
B = "b" * 40
C = "c" * 40


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in (
        "AUTHMW_SECRET", "AUTH_SECRET", "NEXTAUTH_SECRET", "AUTHMW_URL", "AUTH_URL",
        "NEXTAUTH_URL", "AUTHMW_TRUST_HOST", "AUTH_TRUST_HOST",
    ):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"NEXTAUTH_SECRET": C}, C),
        ({"AUTH_SECRET": B, "NEXTAUTH_SECRET": C}, B),
        ({"AUTHMW_SECRET": A, "AUTH_SECRET": B, "NEXTAUTH_SECRET": C}, A),
        ({"AUTHMW_SECRET": "  ", "AUTH_SECRET": B}, B),
    ],
)
def test_secret_fallbacks_in_order(
    clean_env: pytest.MonkeyPatch, variables: dict[str, str], expected: str
) -> None:
    for name, value in variables.items():
        clean_env.setenv(name, value)
    assert Auth(url="https://app.example").secrets == (expected,)


def test_no_secret_names_every_variable() -> None:
    with pytest.raises(ConfigurationError, match=r"AUTHMW_SECRET.*AUTH_SECRET.*NEXTAUTH_SECRET"):
        Auth(url="https://app.example")


@pytest.mark.parametrize("name", ["AUTHMW_URL", "AUTH_URL", "NEXTAUTH_URL"])
def test_url_fallbacks(clean_env: pytest.MonkeyPatch, name: str) -> None:
    clean_env.setenv(name, "https://app.example")
    assert Auth(secret=A).url == "https://app.example"


@pytest.mark.parametrize(
    ("url", "base_path", "expected"),
    [
        ("https://app.example/api/auth", "/api/auth", "https://app.example"),
        ("https://app.example/api/auth/", "/api/auth", "https://app.example"),
        ("https://app.example/shop/api/auth", "/api/auth", "https://app.example/shop"),
        ("https://app.example/auth", "/auth", "https://app.example"),
        ("https://app.example/shop", "/api/auth", "https://app.example/shop"),
    ],
)
def test_url_ending_in_the_base_path_is_read_as_nextauth_url(
    url: str, base_path: str, expected: str
) -> None:
    auth = Auth(secret=A, url=url, base_path=base_path)
    assert auth.url == expected


def test_nextauth_url_never_doubles_the_base_path(clean_env: pytest.MonkeyPatch) -> None:
    import webtest

    clean_env.setenv("NEXTAUTH_URL", "https://app.example/api/auth")
    auth = Auth(secret=A)
    app = webtest.TestApp(auth.wrap(lambda environ, start_response: []))
    page = app.get("/api/auth/signout", extra_environ={"wsgi.url_scheme": "https"})
    assert 'action="https://app.example/api/auth/signout"' in page.text
    assert "/api/auth/api/auth" not in page.text


def test_auth_trust_host_is_read_too(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("AUTH_TRUST_HOST", "true")
    assert Auth(secret=A).trust_host is True


def test_authjs_provider_names(caplog: pytest.LogCaptureFixture) -> None:
    env = {
        "AUTH_GITHUB_ID": "gh-id",
        "AUTH_GITHUB_SECRET": "gh-secret",
        "AUTHMW_KEYCLOAK_ID": "kc",
        "AUTH_KEYCLOAK_SECRET": "kc-secret",
        "AUTH_KEYCLOAK_ISSUER": "https://sso.example/realms/main",
    }
    providers = {p.id: p for p in from_environment(env)}
    assert set(providers) == {"github", "keycloak"}
    assert providers["github"].client_id == "gh-id"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"AUTHMW_GITHUB_ID": "x"}, "AUTHMW_GITHUB_SECRET is not set: the github provider is off"),
        ({"AUTH_GOOGLE_SECRET": "x"}, "AUTHMW_GOOGLE_ID is not set: the google provider is off"),
    ],
)
def test_half_configured_preset_is_named(
    env: dict[str, str], missing: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="authmw"):
        assert from_environment(env) == []
    assert missing in caplog.text


def test_missing_issuer_names_our_variable() -> None:
    with pytest.raises(
        ConfigurationError, match="AUTHMW_OKTA_ISSUER is required with AUTH_OKTA_ID"
    ):
        from_environment({"AUTH_OKTA_ID": "x", "AUTH_OKTA_SECRET": "y"})
