"""OpenID Connect sign-in end to end: WebTest app -> local test OP over HTTP -> session.

Every negative case asserts REJECT: a redirect with the NextAuth code, no session, and the
flow cookies cleared.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from authmw.providers.oidc import OIDCProvider
from tests.providers import idp

STATE = "authmw.state"
PKCE = "authmw.pkce.code_verifier"
NONCE = "authmw.nonce"
SESSION = "authmw.session-token"


def provider(op: Any, **options: Any) -> OIDCProvider:
    options.setdefault("userinfo_request", True)
    options.setdefault("timeout", 2)
    return idp.oidc_provider(op, **options)


@pytest.fixture
def app(op: Any) -> Any:
    return idp.make_app([provider(op)])


def assert_rejected(app: Any, response: Any, code: str = "OAuthCallback") -> None:
    assert response.status_int == 302
    assert idp.error_of(response) == code
    cookies = response.headers.getall("Set-Cookie")
    assert not any(c.startswith(SESSION + "=") and "Max-Age=0" not in c for c in cookies)
    for name in (STATE, PKCE, NONCE):
        assert any(c.startswith(name + "=") and "Max-Age=0" in c for c in cookies), name
    assert idp.session_of(app) in ({}, None)


def start_and_consent(app: Any, **form: str) -> str:
    response = idp.start(app, "oidc", **form)
    assert response.status_int == 302
    return idp.callback_path(idp.consent(response.headers["Location"]))


# -- the happy path ---------------------------------------------------------------------


def test_oidc_sign_in_with_discovery(app: Any, op: Any) -> None:
    response = idp.sign_in(app, "oidc", callbackUrl="/dashboard")
    assert response.status_int == 302
    assert response.headers["Location"] == "http://localhost/dashboard"
    session = idp.session_of(app)
    assert session["user"] == {
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "image": "https://img.example/ada.png",
    }
    assert [p for _, p, _, _ in op.log].count("/.well-known/openid-configuration") == 1
    # P-B11: a clean redirect, not cached, no referrer
    assert "code=" not in response.headers["Location"]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    # flow cookies cleared
    for name in (STATE, PKCE, NONCE):
        assert name not in app.cookies


def test_P_A3_P_A5_P_A6_P_A8_authorization_request(app: Any, op: Any) -> None:
    response = idp.start(app, "oidc", scope="admin", prompt="none")
    path, query = idp.split(response.headers["Location"])
    assert path == "/authorize"
    assert query["redirect_uri"] == "http://localhost/api/auth/callback/oidc"
    assert query["scope"] == "openid email profile"
    assert "prompt" not in query
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43 and len(query["state"]) >= 43
    assert len(query["nonce"]) >= 43
    cookies = response.headers.getall("Set-Cookie")
    for name in (STATE, PKCE, NONCE):
        cookie = next(c for c in cookies if c.startswith(name + "="))
        assert "HttpOnly" in cookie and "Max-Age=900" in cookie and "SameSite=Lax" in cookie
        assert query["state"] not in cookie and query["nonce"] not in cookie
    # the token request carries the same redirect_uri and the verifier of the challenge
    app.get(idp.callback_path(idp.consent(response.headers["Location"])))
    ((_, _, _, form),) = op.requests_to("/token")
    assert form["redirect_uri"] == query["redirect_uri"]
    assert (
        idp.b64url(__import__("hashlib").sha256(form["code_verifier"].encode()).digest())
        == (query["code_challenge"])
    )


def test_P_A5_host_header_does_not_change_redirect_uri(app: Any) -> None:
    csrf = app.get("/api/auth/csrf").json["csrfToken"]
    response = app.post(
        "/api/auth/signin/oidc",
        {"csrfToken": csrf},
        headers={"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"},
    )
    assert "http%3A%2F%2Flocalhost%2Fapi%2Fauth%2Fcallback%2Foidc" in response.headers["Location"]


def test_P_A2_states_are_distinct(app: Any) -> None:
    states = set()
    for _ in range(50):
        location = idp.start(app, "oidc").headers["Location"]
        states.add(idp.split(location)[1]["state"])
    assert len(states) == 50


def test_P_A7_get_signin_starts_no_flow_and_post_needs_csrf(app: Any) -> None:
    page = app.get("/api/auth/signin/oidc")
    assert page.status_int == 200
    assert not any(c.startswith(STATE) for c in page.headers.getall("Set-Cookie"))
    bad = app.post("/api/auth/signin/oidc", {"csrfToken": "nope"})
    assert "/api/auth/signin?csrf=true" in bad.headers["Location"]


def test_P_C1_client_secret_basic_form_encodes_secret(app: Any, op: Any) -> None:
    app.get(start_and_consent(app))
    ((_, _, query, form),) = op.requests_to("/token")
    assert form["_authorization"].startswith("Basic ")
    assert "client_secret" not in form and not query
    assert form["grant_type"] == "authorization_code"
    assert idp.session_of(app)["user"]["email"] == "ada@example.com"


def test_P_C1_client_secret_post(op: Any) -> None:
    app = idp.make_app([provider(op, token_endpoint_auth_method="client_secret_post")])
    assert idp.sign_in(app, "oidc").status_int == 302
    ((_, _, _, form),) = op.requests_to("/token")
    assert form["client_secret"] == idp.CLIENT_SECRET
    assert idp.session_of(app)["user"]


def test_P_E5_userinfo_uses_bearer_header(app: Any, op: Any) -> None:
    idp.sign_in(app, "oidc")
    ((_, _, query, form),) = op.requests_to("/userinfo")
    assert form["_authorization"].startswith("Bearer ") and not query


def test_P_B10_unknown_extra_parameters_are_ignored(app: Any) -> None:
    path = start_and_consent(app)
    response = app.get(path + "&session_state=x&foo=bar")
    assert response.status_int == 302 and idp.error_of(response) is None
    assert idp.session_of(app)["user"]


# -- state ------------------------------------------------------------------------------


def test_P_B1_missing_state(app: Any, op: Any) -> None:
    path, query = idp.split("http://localhost" + start_and_consent(app))
    del query["state"]
    response = app.get(path, query)
    assert_rejected(app, response)
    assert not op.requests_to("/token")


@pytest.mark.parametrize("change", ["other", "upper", "suffix"])
def test_P_B2_state_differs(app: Any, op: Any, change: str) -> None:
    path, query = idp.split("http://localhost" + start_and_consent(app))
    state = query["state"]
    query["state"] = {"other": "x" * len(state), "upper": state.upper(), "suffix": state + "x"}[
        change
    ]
    assert_rejected(app, app.get(path, query))
    assert not op.requests_to("/token")


def test_P_B3_state_cookie_missing_or_tampered(app: Any, op: Any) -> None:
    path = start_and_consent(app)
    value = app.cookies[STATE]
    app.set_cookie(STATE, value[:-2] + ("A" if value[-2] != "A" else "B") + value[-1])
    assert_rejected(app, app.get(path))
    path = start_and_consent(app)
    app.set_cookie(STATE, app.cookies[PKCE])  # another purpose's cookie pasted in
    assert_rejected(app, app.get(path))
    path = start_and_consent(app)
    app.set_cookie(STATE, "")
    assert_rejected(app, app.get(path))
    assert not op.requests_to("/token")


def test_P_B3_state_cookie_under_another_secret(op: Any) -> None:
    app = idp.make_app([provider(op)])
    other = idp.make_app([provider(op)], secret="y" * 32)
    path = start_and_consent(other)
    for name in (STATE, PKCE, NONCE):
        app.set_cookie(name, other.cookies[name])
    assert_rejected(app, app.get(path))


def test_P_B4_A_NA12_cookies_from_another_provider(op: Any) -> None:
    a = provider(op)
    b = OIDCProvider(
        id="other", name="Other", issuer=op.issuer, allow_loopback_http=True,
        client_id=idp.CLIENT_ID,
        client_secret=idp.CLIENT_SECRET, userinfo_request=True,
    )  # fmt: skip
    app = idp.make_app([a, b])
    path = start_and_consent(app)  # flow for "oidc"
    forged = path.replace("/callback/oidc", "/callback/other")
    response = app.get(forged)
    assert response.status_int == 302 and idp.error_of(response) == "OAuthCallback"
    assert not op.requests_to("/token")


def test_A_NA8_each_check_is_enforced(op: Any) -> None:
    for cookie in (PKCE, NONCE):
        app = idp.make_app([provider(op)])
        path = start_and_consent(app)
        app.set_cookie(cookie, "")
        assert_rejected(app, app.get(path))
    # swapping in another flow's PKCE cookie
    app = idp.make_app([provider(op)])
    first = start_and_consent(app)
    first_pkce = app.cookies[PKCE]
    start_and_consent(app)
    app.set_cookie(PKCE, first_pkce)
    assert_rejected(app, app.get(first))


def test_P_B5_replayed_callback_is_rejected(app: Any, op: Any) -> None:
    path = start_and_consent(app)
    saved = {name: app.cookies[name] for name in (STATE, PKCE, NONCE)}
    assert idp.error_of(app.get(path)) is None
    app.set_cookie(SESSION, "")
    for name, value in saved.items():
        app.set_cookie(name, value)
    response = app.get(path)
    assert response.status_int == 302 and idp.error_of(response) == "OAuthCallback"
    assert len(op.requests_to("/token")) == 1


def test_P_B6_error_with_valid_state_is_access_denied(app: Any, op: Any) -> None:
    op.authorize_error = "access_denied"
    response = app.get(start_and_consent(app))
    assert idp.error_of(response) == "AccessDenied"
    assert not op.requests_to("/token")


def test_P_B6_error_with_invalid_state_is_oauth_callback(app: Any, op: Any) -> None:
    op.authorize_error = "access_denied"
    path, query = idp.split("http://localhost" + start_and_consent(app))
    query["state"] = "forged"
    assert_rejected(app, app.get(path, query))


def test_5_8_code_and_error_together_and_reflected_error(app: Any, op: Any) -> None:
    path = start_and_consent(app)
    response = app.get(path + "&error=%3Cscript%3E&error_description=" + "x" * 2000)
    assert_rejected(app, response)
    assert "script" not in response.headers["Location"]
    assert not op.requests_to("/token")


@pytest.mark.parametrize("code", ["", "c" * 5000, "caf\u00e9"])
def test_5_8_malformed_code_rejected_before_token_request(app: Any, op: Any, code: str) -> None:
    path, query = idp.split("http://localhost" + start_and_consent(app))
    query["code"] = code
    assert_rejected(app, app.get(path, query))
    assert not op.requests_to("/token")


def test_P_B9_duplicate_parameters(app: Any) -> None:
    path = start_and_consent(app)
    response = app.get(path + "&code=again", expect_errors=True)
    assert response.status_int == 400
    assert idp.session_of(app) in ({}, None)


def test_5_8_expired_flow_cookie(app: Any, op: Any) -> None:
    import time_machine

    path = start_and_consent(app)
    with time_machine.travel(time.time() + 16 * 60, tick=False):
        assert_rejected(app, app.get(path))
    assert not op.requests_to("/token")


def test_P_B12_flow_started_by_another_session(op: Any) -> None:
    app = idp.make_app([provider(op)])
    idp.sign_in(app, "oidc")
    assert idp.session_of(app)["user"]
    path = start_and_consent(app)  # linking flow started while signed in
    app.set_cookie(SESSION, "")  # the callback arrives signed out
    response = app.get(path)
    assert response.status_int == 302 and idp.error_of(response) == "OAuthCallback"


def test_P_B12_same_session_may_finish(op: Any) -> None:
    app = idp.make_app([provider(op)])
    idp.sign_in(app, "oidc")
    response = app.get(start_and_consent(app))
    assert idp.error_of(response) is None


# -- RFC 9207 iss -------------------------------------------------------------------------


def test_P_B7_iss_parameter(op: Any) -> None:
    app = idp.make_app([provider(op)])
    op.iss_param = op.issuer + "/"
    assert_rejected(app, app.get(start_and_consent(app)))
    op.iss_param = "https://evil.example"
    assert_rejected(app, app.get(start_and_consent(app)))
    op.iss_param = op.issuer
    assert idp.error_of(app.get(start_and_consent(app))) is None


def test_P_B7_iss_required_when_advertised(op: Any) -> None:
    op.discovery_extra["authorization_response_iss_parameter_supported"] = True
    app = idp.make_app([provider(op)])
    assert_rejected(app, app.get(start_and_consent(app)))
    assert not op.requests_to("/token")


# -- token endpoint ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, b"oops"),
        (200, b"{not json"),
        (200, b'{"error":"bad_verification_code"}'),
        (400, b'{"error":"invalid_grant"}'),
        (200, b"<html>hi</html>"),
        (200, b""),
        (200, b"[1,2]"),
        (200, b'{"token_type":"Bearer"}'),
        (200, b'{"access_token":"a","token_type":"mac"}'),
        (200, b'{"a":' + b" " * (1024 * 1024 + 10) + b"1}"),
    ],
)
def test_P_C3_P_C4_bad_token_responses(app: Any, op: Any, status: int, body: bytes) -> None:
    op.token_status, op.token_body = status, body
    assert_rejected(app, app.get(start_and_consent(app)))


def test_P_C4_token_endpoint_timeout(op: Any) -> None:
    app = idp.make_app([provider(op, timeout=0.3)])
    op.token_delay = 3.0
    started = time.monotonic()
    assert_rejected(app, app.get(start_and_consent(app)))
    assert time.monotonic() - started < 2.0  # the 0.3 s timeout, not the 3 s delay


def test_P_C3_lowercase_bearer_and_no_expires_in(app: Any, op: Any) -> None:
    op.token_extra = {"token_type": "bearer"}
    op.expires_in = None
    assert idp.error_of(app.get(start_and_consent(app))) is None


def test_P_C5_no_id_token(app: Any, op: Any) -> None:
    op.with_id_token = False
    assert_rejected(app, app.get(start_and_consent(app)))


def test_P_C6_bad_nonce_means_no_userinfo_call(app: Any, op: Any) -> None:
    op.id_token_claims = {"nonce": "wrong"}
    assert_rejected(app, app.get(start_and_consent(app)))
    assert not op.requests_to("/userinfo")


# -- ID token ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "claims"),
    [
        pytest.param("attacker", {}, id="P_D14_signed_by_unknown_key"),
        pytest.param("none", {}, id="P_D2_alg_none"),
        pytest.param("hs256-public", {}, id="P_D2_A_AL1_hs256_with_public_key"),
        pytest.param("hs256-secret", {}, id="P_D2_hs256_not_configured"),
        pytest.param("jwk-header", {}, id="P_D3_A_AL5_embedded_jwk"),
        pytest.param("rs256", {"aud": "someone-else"}, id="P_D7_wrong_aud"),
        pytest.param("rs256", {"aud": [idp.CLIENT_ID, "other"]}, id="P_D7_extra_aud"),
        pytest.param("rs256", {"azp": "other"}, id="P_D7_azp"),
        pytest.param("rs256", {"iss": "https://evil.example"}, id="P_D6_wrong_iss"),
        pytest.param("rs256", {"exp": int(time.time()) - 120}, id="P_D8_expired"),
        pytest.param("rs256", {"iat": int(time.time()) + 600}, id="P_D9_future_iat"),
        pytest.param("rs256", {"iat": int(time.time()) - 7 * 86400}, id="P_D9_week_old_iat"),
        pytest.param("rs256", {"nonce": "other"}, id="P_D10_nonce_mismatch"),
        pytest.param("rs256", {"nonce": None}, id="P_D10_nonce_missing"),
        pytest.param("rs256", {"sub": None}, id="P_D11_no_sub"),
        pytest.param("rs256", {"at_hash": "AAAAAAAAAAAAAAAAAAAAAA"}, id="P_D12_at_hash"),
    ],
)
def test_P_D_invalid_id_tokens(
    app: Any, op: Any, mode: str, claims: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    op.sign_mode = mode
    op.id_token_claims = claims
    assert_rejected(app, app.get(start_and_consent(app)))
    assert not op.requests_to("/userinfo")
    assert "id_token from oidc rejected" in caplog.text  # rejected for the right reason


def test_P_D5_A_AL2_crit_header(app: Any, op: Any, caplog: pytest.LogCaptureFixture) -> None:
    op.id_token_header = {"crit": ["x-ext"], "x-ext": 1}
    assert_rejected(app, app.get(start_and_consent(app)))
    assert "crit header parameters are not supported" in caplog.text


def test_P_D4_jwks_rotation_accepted_after_one_refetch(app: Any, op: Any) -> None:
    assert idp.error_of(idp.sign_in(app, "oidc")) is None
    assert op.jwks_fetches == 1
    op.signing_key = idp._KEYS[1]
    op.published = [idp._KEYS[0], idp._KEYS[1]]
    app.set_cookie(SESSION, "")
    assert idp.error_of(app.get(start_and_consent(app))) is None
    assert op.jwks_fetches == 2
    # an unknown kid within the cooldown does not refetch again
    op.signing_key = idp._KEYS[2]
    assert_rejected(app, app.get(start_and_consent(app)))
    assert op.jwks_fetches == 2


def test_P_E1_P_E3_userinfo_never_overrides_the_id_tokens_email(app: Any, op: Any) -> None:
    op.userinfo = {
        "sub": op.sub,
        "email": "victim@example.com",
        "email_verified": True,
        "name": "From userinfo",
    }
    response = app.get(start_and_consent(app))
    assert response.status_int == 302 and "error" not in response.location
    user = idp.session_of(app)["user"]
    assert user["email"] == "ada@example.com", "the signed id_token decides the address"
    assert user["name"] == "From userinfo", "userinfo still adds and updates other claims"


def test_P_E1_userinfo_sub_mismatch(app: Any, op: Any) -> None:
    op.userinfo = {"sub": "someone-else", "email": "victim@example.com"}
    assert_rejected(app, app.get(start_and_consent(app)))


# -- discovery ---------------------------------------------------------------------------


def test_P_F1_discovery_issuer_mismatch(op: Any) -> None:
    op.discovery_extra["issuer"] = op.issuer + "/"
    app = idp.make_app([provider(op)])
    response = idp.start(app, "oidc")
    assert response.status_int == 302 and idp.error_of(response) == "OAuthSignin"


def test_P_F2_http_endpoint_in_discovery(op: Any) -> None:
    op.discovery_extra["token_endpoint"] = "http://idp.example/token"
    app = idp.make_app([provider(op)])
    assert idp.error_of(idp.start(app, "oidc")) == "OAuthSignin"


# -- callbacks --------------------------------------------------------------------------


def test_sign_in_callback_false_is_access_denied(op: Any) -> None:
    app = idp.make_app([provider(op)], callbacks={"sign_in": lambda **kw: False})
    response = app.get(start_and_consent(app))
    assert idp.error_of(response) == "AccessDenied"
    assert idp.session_of(app) in ({}, None)


def test_jwt_callback_receives_account_and_profile(op: Any) -> None:
    seen: dict[str, Any] = {}

    def jwt(token: dict[str, Any], account: Any = None, profile: Any = None, **kw: Any) -> Any:
        if account:
            seen.update(account=account, profile=profile)
        return token

    app = idp.make_app([provider(op)], callbacks={"jwt": jwt})
    idp.sign_in(app, "oidc")
    assert seen["account"]["provider"] == "oidc"
    assert seen["account"]["providerAccountId"] == "user-123"
    assert seen["account"]["access_token"] and seen["account"]["id_token"]
    assert seen["profile"]["email_verified"] is True


def test_P_C7_tokens_not_in_session_cookie_without_refresh(app: Any, op: Any) -> None:
    idp.sign_in(app, "oidc")
    token = app.get("/").json["token"]
    assert "access_token" not in token and "refresh_token" not in token


def test_P_D2_hs256_when_configured_uses_client_secret(op: Any) -> None:
    op.sign_mode = "hs256-secret"
    app = idp.make_app([provider(op, id_token_signed_response_algs=("HS256",))])
    op.discovery_extra["id_token_signing_alg_values_supported"] = ["HS256"]
    assert idp.error_of(app.get(start_and_consent(app))) is None


def test_A_NA6_P_C7_no_secrets_in_logs_or_urls(
    app: Any, op: Any, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    caplog.set_level(logging.DEBUG, logger="authmw")
    path = start_and_consent(app)
    code = idp.split("http://localhost" + path)[1]["code"]
    response = app.get(path)
    token = app.get("/").json["token"]
    op.id_token_claims = {"nonce": "bad"}
    app.get(start_and_consent(app))
    authmw_logs = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("authmw"))
    secrets_seen = [idp.CLIENT_SECRET, code, *op.access_tokens, *op.refresh_tokens]
    assert not any(s in authmw_logs for s in secrets_seen)
    assert not any(s in response.headers["Location"] for s in secrets_seen)
    assert not any(s in str(token) for s in secrets_seen)
