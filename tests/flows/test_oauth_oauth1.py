"""OAuth 1.0a sign-in against a local oauthlib-based provider (the legacy Twitter preset)."""

from __future__ import annotations

from typing import Any

import pytest

from authmw.providers.presets import TwitterLegacy
from tests.providers import idp

STATE = "authmw.state"


@pytest.fixture
def app(oauth1_server: Any) -> Any:
    provider = TwitterLegacy(
        client_id=idp.OAUTH1_KEY,
        client_secret=idp.OAUTH1_SECRET,
        api_url=oauth1_server.base,
        allow_loopback_http=True,
    )
    return idp.make_app([provider])


def begin(app: Any, **form: str) -> str:
    response = idp.start(app, "twitter-legacy", **form)
    assert response.status_int == 302, response
    return idp.callback_path(idp.consent(response.headers["Location"]))


def test_oauth1_sign_in(app: Any, oauth1_server: Any) -> None:
    response = app.get(begin(app, callbackUrl="/home"))
    assert response.headers["Location"] == "http://localhost/home"
    assert idp.session_of(app)["user"] == {
        "name": "Grace Hopper",
        "email": "grace@example.com",
        "image": "https://img.example/grace.png",
    }
    assert app.get("/").json["token"]["sub"] == "4242"
    assert oauth1_server.log[-1] == "/1.1/account/verify_credentials.json"


def test_P_H1_state_cookie_tampered(app: Any) -> None:
    path = begin(app)
    value = app.cookies[STATE]
    app.set_cookie(STATE, value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB"))
    assert idp.error_of(app.get(path)) == "OAuthCallback"
    assert idp.session_of(app) in ({}, None)


def test_P_H2_oauth_token_mismatch_and_replay(app: Any, oauth1_server: Any) -> None:
    path, query = idp.split("http://localhost" + begin(app))
    forged = dict(query, oauth_token="x" * 24)
    assert idp.error_of(app.get(path, forged)) == "OAuthCallback"
    # a failed attempt burns the flow; a new flow works once, then its replay fails
    path, query = idp.split("http://localhost" + begin(app))
    saved = app.cookies[STATE]
    assert idp.error_of(app.get(path, query)) is None
    app.set_cookie(STATE, saved)
    assert idp.error_of(app.get(path, query)) == "OAuthCallback"  # replay


def test_P_H3_verifier_required(app: Any) -> None:
    path, query = idp.split("http://localhost" + begin(app))
    del query["oauth_verifier"]
    assert idp.error_of(app.get(path, query)) == "OAuthCallback"


def test_oauth1_denied(app: Any) -> None:
    path, query = idp.split("http://localhost" + begin(app))
    response = app.get(path, {"denied": query["oauth_token"]})
    assert idp.error_of(response) == "AccessDenied"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)"]
)
def test_P_H4_A_NA2_callback_url_sanitized_through_oauth1(app: Any, target: str) -> None:
    response = app.get(begin(app, callbackUrl=target))
    location = response.headers["Location"]
    assert location.startswith("http://localhost"), location
    assert "evil.example" not in location.split("?")[0]


def test_request_token_endpoint_down_is_oauth_signin(oauth1_server: Any) -> None:
    provider = TwitterLegacy(
        client_id="wrong-consumer-key-000",
        client_secret="x",
        api_url=oauth1_server.base,
        allow_loopback_http=True,
    )
    app = idp.make_app([provider])
    response = idp.start(app, "twitter-legacy")
    assert idp.error_of(response) == "OAuthSignin"
