"""Plain OAuth 2 (userinfo, no ID token), the oidc-provider-mock server, form_post, refresh."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from authmw.providers.oauth2 import OAuth2Provider
from authmw.providers.oidc import OIDCProvider
from authmw.providers.presets import OIDC
from tests.providers import idp
from tests.support import oidc_provider_mock_app, serve

SESSION = "authmw.session-token"


def plain(op: Any, **options: Any) -> OAuth2Provider:
    options.setdefault("profile", lambda p: {"id": p["id"], "name": p["login"]})
    options.setdefault("client_secret", idp.CLIENT_SECRET)
    return OAuth2Provider(
        id="plain",
        name="Plain",
        client_id=idp.CLIENT_ID,
        authorization=f"{op.base}/authorize",
        token=f"{op.base}/token",
        userinfo=f"{op.base}/api/me",
        scope="profile",
        allow_loopback_http=True,
        **options,
    )


def test_oauth2_sign_in_with_userinfo(op: Any) -> None:
    op.api["/api/me"] = {"id": 99, "login": "octo"}
    app = idp.make_app([plain(op)])
    response = idp.sign_in(app, "plain")
    assert response.status_int == 302 and idp.error_of(response) is None
    assert idp.session_of(app)["user"]["name"] == "octo"
    assert app.get("/").json["token"]["sub"] == "99"
    # no discovery, no ID token for plain OAuth 2
    assert not op.requests_to("/.well-known/openid-configuration")


def test_P_B8_providers_have_distinct_callback_paths(op: Any) -> None:
    a, b = plain(op), plain(op, profile=None)
    b.id = "plain2"
    app = idp.make_app([a])
    location = idp.start(app, "plain").headers["Location"]
    assert idp.split(location)[1]["redirect_uri"].endswith("/callback/plain")


def test_P_A1_response_type_must_be_code(op: Any) -> None:
    from authmw import ConfigurationError

    with pytest.raises(ConfigurationError):
        plain(op, response_type="token")
    with pytest.raises(ConfigurationError):
        plain(op, authorization_params={"response_type": "id_token"})


def test_A_PS2_pkce_only_provider_enforces_pkce(op: Any) -> None:
    op.api["/api/me"] = {"id": 1, "login": "x"}
    app = idp.make_app([plain(op, checks=("pkce",))])
    response = idp.start(app, "plain")
    assert "state" not in idp.split(response.headers["Location"])[1]
    path = idp.callback_path(idp.consent(response.headers["Location"]))
    app.set_cookie("authmw.pkce.code_verifier", "")
    assert idp.error_of(app.get(path)) == "OAuthCallback"


def test_public_client_token_auth_none(op: Any) -> None:
    op.api["/api/me"] = {"id": 1, "login": "x"}
    app = idp.make_app([plain(op, client_secret=None, token_endpoint_auth_method="none")])
    # the test OP requires a secret, so the exchange fails, but the request shape is right
    idp.sign_in(app, "plain")
    ((_, _, _, form),) = op.requests_to("/token")
    assert form["client_id"] == idp.CLIENT_ID and "_authorization" not in form


def test_P_B13_form_post_callback(op: Any) -> None:
    provider = OIDCProvider(
        id="fp", name="FP", issuer=op.issuer, allow_loopback_http=True,
        client_id=idp.CLIENT_ID,
        client_secret=idp.CLIENT_SECRET, response_mode="form_post",
    )  # fmt: skip
    app = idp.make_app([provider])
    response = idp.start(app, "fp")
    page = requests.get(response.headers["Location"], timeout=5).text
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', page))
    callback = app.post("/api/auth/callback/fp", fields)
    assert callback.status_int == 302 and idp.error_of(callback) is None
    assert idp.session_of(app)["user"]["email"] == "ada@example.com"


def test_P_B13_form_post_cookies_are_samesite_none_over_https(op: Any) -> None:
    import webtest

    from authmw import Auth

    provider = OIDCProvider(
        id="fp", name="FP", issuer=op.issuer, allow_loopback_http=True,
        client_id=idp.CLIENT_ID,
        client_secret=idp.CLIENT_SECRET, response_mode="form_post",
    )  # fmt: skip
    auth = Auth(secret=idp.SECRET, url="https://app.example", providers=[provider])
    app = webtest.TestApp(auth.wrap(idp.echo_app), extra_environ={"wsgi.url_scheme": "https"})
    csrf = app.get("/api/auth/csrf").json["csrfToken"]
    response = app.post("/api/auth/signin/fp", {"csrfToken": csrf})
    state = next(c for c in response.headers.getall("Set-Cookie") if "authmw.state=" in c)
    assert "SameSite=None" in state and "Secure" in state


def test_POST_callback_refused_without_form_post(op: Any) -> None:
    app = idp.make_app([plain(op)])
    idp.start(app, "plain")
    response = app.post("/api/auth/callback/plain", {"code": "x", "state": "y"})
    assert idp.error_of(response) == "OAuthCallback"


# -- the oidc-provider-mock package ----------------------------------------------------------


@pytest.fixture
def mock_op() -> Iterator[str]:
    with serve(oidc_provider_mock_app(require_nonce=True)) as base:
        yield base


def test_oidc_provider_mock_full_flow(mock_op: str) -> None:
    provider = OIDC(
        issuer=mock_op, client_id="client-1", client_secret="secret-1", allow_loopback_http=True
    )
    app = idp.make_app([provider])
    response = idp.start(app, "oidc", callbackUrl="/after")
    location = response.headers["Location"]
    assert location.startswith(mock_op + "/oauth2/authorize?")
    consent = requests.post(location, data={"sub": "mock-user"}, allow_redirects=False, timeout=5)
    assert consent.status_code == 302
    done = app.get(idp.callback_path(consent.headers["Location"]))
    assert done.status_int == 302 and done.headers["Location"] == "http://localhost/after"
    assert idp.session_of(app)["user"]["email"] == "mock-user"


def test_oidc_provider_mock_denied_without_state(mock_op: str) -> None:
    """The mock's deny redirect carries no ``state``, so this is P-B1 (OAuthCallback)."""
    provider = OIDC(issuer=mock_op, client_id="c", client_secret="s", allow_loopback_http=True)
    app = idp.make_app([provider])
    location = idp.start(app, "oidc").headers["Location"]
    denied = requests.post(location, data={"action": "deny"}, allow_redirects=False, timeout=5)
    assert "error=access_denied" in denied.headers["Location"]
    response = app.get(idp.callback_path(denied.headers["Location"]))
    assert idp.error_of(response) == "OAuthCallback"
    assert idp.session_of(app) in ({}, None)


# -- refresh -------------------------------------------------------------------------------


def refreshing(op: Any) -> OIDCProvider:
    return OIDCProvider(
        id="oidc", name="OP", issuer=op.issuer, allow_loopback_http=True,
        client_id=idp.CLIENT_ID,
        client_secret=idp.CLIENT_SECRET, refresh=True,
    )  # fmt: skip


def test_refresh_rotates_tokens_and_get_token_exposes_them(op: Any) -> None:
    import time_machine

    app = idp.make_app([refreshing(op)])
    idp.sign_in(app, "oidc")
    first = app.get("/").json["token"]
    assert first["provider"] == "oidc" and first["access_token"] and first["refresh_token"]
    with time_machine.travel(time.time() + 3600, tick=False):
        second = app.get("/").json["token"]
        # the rotated tokens were stored in the cookie: no second refresh now
        assert app.get("/").json["token"]["access_token"] == second["access_token"]
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    assert "error" not in second
    assert [f.get("grant_type") for _, _, _, f in op.requests_to("/token")] == [
        "authorization_code",
        "refresh_token",
    ]


def test_refresh_failure_marks_session(op: Any) -> None:
    import time_machine

    app = idp.make_app([refreshing(op)])
    idp.sign_in(app, "oidc")
    op.refresh_tokens.clear()
    with time_machine.travel(time.time() + 3600, tick=False):
        token = app.get("/").json["token"]
        session = app.get("/api/auth/session")
    assert token["error"] == "RefreshAccessTokenError"
    assert session.status_int == 200


def test_P_C8_refreshed_id_token_with_other_sub(op: Any) -> None:
    import time_machine

    app = idp.make_app([refreshing(op)])
    idp.sign_in(app, "oidc")
    for key in list(op.refresh_tokens):
        op.refresh_tokens[key] = "someone-else"
    op.claims = {}
    with time_machine.travel(time.time() + 3600, tick=False):
        page = app.get("/")
        assert page.json["token"] is None, "a refresh naming another subject signs out"
        cleared = [c for c in page.headers.getall("Set-Cookie") if "session-token=" in c]
        assert cleared and "Max-Age=0" in cleared[0]
        assert app.get("/api/auth/session").json == {}
