"""Back-channel logout end to end: sign in at the local OP, then the OP ends sessions by POSTing
a signed logout token to ``{base}/backchannel-logout/<id>`` (OpenID Connect Back-Channel
Logout 1.0).

JWT sessions end through the revocation list, database sessions by deleting their rows; a
second ``Auth`` over the same adapter stands for another worker and refuses the cookie too.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
import webtest

from authmw import Auth
from authmw.providers.oidc import OIDCProvider
from authmw.session.revocation import IDP_CLAIM
from tests.conftest import credentials_provider
from tests.flows.test_database_sessions import (
    Relay,
    _build,
    _dispose,
    _target,
    _via,
    service_url,
)
from tests.providers import idp
from tests.providers.idp_backchannel import EVENT, logout_claims, logout_token, send_logout
from tests.support import serve

URL = "/api/auth/backchannel-logout/oidc"
SESSION = "authmw.session-token"
BOB = {"name": "Bob", "email": "bob@example.com", "email_verified": True}
STORES = [
    pytest.param(("jwt", "memory"), id="jwt-memory"),
    pytest.param(("jwt", "sqlite"), id="jwt-sqlite"),
    pytest.param(("jwt", "postgres"), id="jwt-postgres"),
    pytest.param(("jwt", "redis"), id="jwt-redis"),
    pytest.param(("database", "sqlite"), id="database-sqlite"),
    pytest.param(("database", "postgres"), id="database-postgres"),
    pytest.param(("database", "redis"), id="database-redis"),
]


def provider(op: Any, **options: Any) -> OIDCProvider:
    options.setdefault("backchannel_logout", True)
    return idp.oidc_provider(op, **options)


def make_auth(op: Any, adapter: Any = None, strategy: str = "jwt", **options: Any) -> Auth:
    providers = options.pop("providers", None) or [provider(op)]
    return Auth(
        url="http://localhost",
        secret=idp.SECRET,
        providers=providers,
        adapter=adapter,
        session={"strategy": strategy},
        **options,
    )


def browser(auth: Auth) -> webtest.TestApp:
    return webtest.TestApp(auth.wrap(idp.echo_app))


def signed_in(auth: Auth, op: Any, sub: str = "user-123", sid: str | None = None) -> Any:
    """A browser signed in at *op* as *sub* (in IdP session *sid*)."""
    op.sub = sub
    op.claims = {**BOB} if sub != "user-123" else op.claims
    op.id_token_claims = {"sid": sid} if sid else {}
    app = browser(auth)
    response = idp.sign_in(app, "oidc")
    assert response.status_int == 302 and idp.session_of(app), response
    return app


def post_logout(auth: Auth, token: str, **kwargs: Any) -> Any:
    """The IdP's POST, through WebTest (no cookies, no CSRF token, no Origin)."""
    return browser(auth).post(URL, {"logout_token": token}, expect_errors=True, **kwargs)


def later() -> Any:
    """A few seconds on: "until now" revocations keep sign-ins of the same second out."""
    return time_machine.travel(time.time() + 3, tick=True)


def signed_out(app: Any) -> bool:
    return not idp.session_of(app)


def copy_on(auth: Auth, app: Any) -> Any:
    """The same cookie presented to another worker."""
    other = browser(auth)
    other.set_cookie(SESSION, app.cookies[SESSION])
    return other


@pytest.fixture(params=STORES)
def setup(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Any]]:
    """``(strategy, adapter)``: no adapter (in-process), or a live adapter emptied afterwards."""
    strategy, kind = request.param
    if kind == "memory":
        yield strategy, None
        return
    url = None
    if kind == "postgres":
        url = service_url("AUTHMW_TEST_POSTGRES_URL", "PostgreSQL")
    elif kind == "redis":
        url = service_url("AUTHMW_TEST_REDIS_URL", "Redis")
    adapter = _build(kind, tmp_path, url)
    yield strategy, adapter
    _dispose(adapter)


def test_S_S4_backchannel_logout_by_sid_ends_that_provider_session(
    op: Any, setup: tuple[str, Any]
) -> None:
    strategy, adapter = setup
    auth = make_auth(op, adapter, strategy)
    ended = signed_in(auth, op, sid="sid-1")
    kept = signed_in(auth, op, sid="sid-2")
    copies = [copy_on(make_auth(op, adapter, strategy), app) for app in (ended, kept)]
    response = post_logout(auth, logout_token(op, sub="user-123", sid="sid-1"))
    assert response.status_int == 200 and response.headers["Cache-Control"] == "no-store"
    assert signed_out(ended) and not signed_out(kept)
    if adapter is not None:  # another worker sharing the adapter agrees
        assert signed_out(copies[0]) and not signed_out(copies[1])


def test_S_S4_backchannel_logout_by_sub_ends_every_session_of_that_subject(
    op: Any, setup: tuple[str, Any]
) -> None:
    strategy, adapter = setup
    auth = make_auth(op, adapter, strategy)
    first, second = signed_in(auth, op), signed_in(auth, op)
    other = signed_in(auth, op, sub="user-456")
    copies = [copy_on(make_auth(op, adapter, strategy), app) for app in (first, other)]
    response = post_logout(auth, logout_token(op, sub="user-123"))
    assert response.status_int == 200 and response.body == b""
    assert signed_out(first) and signed_out(second) and not signed_out(other)
    if adapter is not None:  # another worker sharing the adapter agrees
        assert signed_out(copies[0]) and not signed_out(copies[1])
    with later():  # a later sign-in is not affected
        again = signed_in(auth, op)
        assert not signed_out(again)


def test_S_S4_the_provider_posts_over_real_http_and_the_session_ends(op: Any) -> None:
    auth = make_auth(op)
    app = signed_in(auth, op, sid="sid-http")
    with serve(auth.wrap(idp.echo_app)) as base:
        answer = send_logout(base + URL, logout_token(op, sid="sid-http"))
    assert answer.status_code == 200, answer.text
    assert answer.headers["Cache-Control"] == "no-store"
    assert signed_out(app)


def test_the_idp_session_is_kept_in_the_token_but_never_shown(op: Any) -> None:
    auth = make_auth(op)
    app = signed_in(auth, op, sid="sid-shown")
    assert IDP_CLAIM not in str(idp.session_of(app)) and "sid-shown" not in str(idp.session_of(app))
    token = app.get("/").json["token"]
    assert token[IDP_CLAIM] == {"provider": "oidc", "sub": "user-123", "sid": "sid-shown"}


def test_without_the_option_the_token_has_no_idp_claim(op: Any) -> None:
    auth = make_auth(op, providers=[provider(op, backchannel_logout=False)])
    app = signed_in(auth, op, sid="sid-off")
    assert IDP_CLAIM not in app.get("/").json["token"]


def test_an_event_names_the_provider_subject_and_session(op: Any) -> None:
    seen: list[dict[str, Any]] = []
    auth = make_auth(op, events={"backchannel_logout": lambda **kw: seen.append(kw)})
    signed_in(auth, op, sid="sid-ev")
    assert post_logout(auth, logout_token(op, sub="user-123", sid="sid-ev")).status_int == 200
    assert seen == [{"provider": "oidc", "sub": "user-123", "sid": "sid-ev"}]


def _bad(op: Any, case: str) -> str:
    valid = logout_claims(op, sub="user-123")
    if case == "other_key":
        op.sign_mode = "attacker"
    elif case == "alg_none":
        op.sign_mode = "none"
    elif case == "hs256_public":
        op.sign_mode = "hs256-public"
    elif case == "embedded_jwk":
        op.sign_mode = "jwk-header"
    elif case == "bad_signature":
        token = op.sign(valid)
        head, body, sig = token.split(".")
        return f"{head}.{body}.{sig[:-4]}AAAA"
    changes: dict[str, dict[str, Any]] = {
        "wrong_iss": {"iss": op.issuer + "/"},
        "wrong_aud": {"aud": "someone-else"},
        "nonce": {"nonce": "n-1"},
        "no_events": {"events": None},
        "wrong_event": {"events": {"http://schemas.openid.net/event/other": {}}},
        "event_not_object": {"events": {EVENT: "yes"}},
        "no_sub_no_sid": {"sub": None},
        "no_jti": {"jti": None},
        "expired": {"exp": valid["iat"] - 3600, "iat": valid["iat"] - 3700},
        "future_iat": {"iat": valid["iat"] + 3600},
        "old_iat": {"iat": valid["iat"] - 7 * 86400, "exp": None},
        "no_iat": {"iat": None},
    }
    return logout_token(op, **{"sub": "user-123", **changes.get(case, {})})


@pytest.mark.parametrize(
    "case",
    [
        pytest.param("other_key", id="P_D14_signed_by_another_key"),
        pytest.param("bad_signature", id="P_D14_bad_signature"),
        pytest.param("alg_none", id="P_D2_alg_none"),
        pytest.param("hs256_public", id="P_D2_A_AL1_hs256_with_public_key"),
        pytest.param("embedded_jwk", id="P_D3_embedded_jwk"),
        pytest.param("wrong_iss", id="P_D6_wrong_iss"),
        pytest.param("wrong_aud", id="P_D7_wrong_aud"),
        pytest.param("nonce", id="P_D10_nonce_present"),
        pytest.param("no_events", id="events_missing"),
        pytest.param("wrong_event", id="events_without_logout"),
        pytest.param("event_not_object", id="event_not_an_object"),
        pytest.param("no_sub_no_sid", id="P_D11_no_sub_and_no_sid"),
        pytest.param("no_jti", id="jti_missing"),
        pytest.param("expired", id="P_D8_expired"),
        pytest.param("future_iat", id="P_D9_future_iat"),
        pytest.param("old_iat", id="P_D9_week_old_iat"),
        pytest.param("no_iat", id="P_D9_missing_iat"),
    ],
)
def test_P_D_invalid_logout_tokens_are_400_and_end_nothing(op: Any, case: str) -> None:
    auth = make_auth(op)
    app = signed_in(auth, op)
    token = _bad(op, case)
    response = post_logout(auth, token)
    assert response.status_int == 400
    assert response.json == {
        "error": "invalid_request",
        "error_description": "the logout token is invalid",
    }
    assert token not in response.text and response.headers["Cache-Control"] == "no-store"
    assert not signed_out(app)


def test_P_B5_a_replayed_logout_token_is_refused(op: Any, tmp_path: Path) -> None:
    adapter = _build("sqlite", tmp_path)
    auth, worker = make_auth(op, adapter), make_auth(op, adapter)
    token = logout_token(op, sub="user-123")
    assert post_logout(auth, token).status_int == 200
    with later():  # signed in again after the logout: a replay must not end it
        app = signed_in(auth, op)
        assert post_logout(auth, token).status_int == 400
        assert post_logout(worker, token).status_int == 400  # every worker knows the jti
        assert not signed_out(app)
    _dispose(adapter)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"logout_token": "garbage"}, id="garbage"),
        pytest.param({"logout_token": "a.b.c"}, id="three_garbage_parts"),
        pytest.param({"logout_token": ""}, id="empty"),
        pytest.param({"other": "x"}, id="missing_parameter"),
        pytest.param({"logout_token": "x" * 20_000}, id="B_P8_oversize_token"),
        pytest.param({"logout_token": "x" * 70_000}, id="B_P8_oversize_body"),
    ],
)
def test_B_P8_bad_requests_are_400_json_without_echo(op: Any, body: dict[str, str]) -> None:
    auth = make_auth(op)
    response = browser(auth).post(URL, body, expect_errors=True)
    assert response.status_int == 400
    assert response.json["error"] == "invalid_request"
    assert "xxxx" not in response.text and "garbage" not in response.text


def test_a_json_body_is_400(op: Any) -> None:
    response = browser(make_auth(op)).post_json(
        URL, {"logout_token": logout_token(op, sub="user-123")}, expect_errors=True
    )
    assert response.status_int == 400 and response.json["error"] == "invalid_request"


def test_B_P4_get_is_405(op: Any) -> None:
    response = browser(make_auth(op)).get(URL, expect_errors=True)
    assert response.status_int == 405 and response.headers["Allow"] == "POST"


def test_B_P1_a_provider_without_the_option_is_404_like_an_unknown_one(op: Any) -> None:
    credentials = credentials_provider()
    auth = make_auth(op, providers=[provider(op, backchannel_logout=False), credentials])
    app = browser(auth)
    token = {"logout_token": logout_token(op, sub="user-123")}
    unknown = app.post("/api/auth/backchannel-logout/nope", token, expect_errors=True)
    for path in (URL, "/api/auth/backchannel-logout/credentials"):
        response = app.post(path, token, expect_errors=True)
        assert response.status_int == 404 and response.text == unknown.text


def test_backchannel_logout_needs_a_boolean(op: Any) -> None:
    from authmw.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="backchannel_logout"):
        provider(op, backchannel_logout="yes")


def test_R_7_store_down_is_503_and_the_retry_is_not_a_replay(op: Any, tmp_path: Path) -> None:
    url = service_url("AUTHMW_TEST_REDIS_URL", "Redis")
    relay = Relay(_target(url, 6379))
    relay.start()
    adapter = _build("redis", tmp_path, _via(url, relay.port), timeout=1)
    try:
        auth = make_auth(op, adapter)
        app = signed_in(auth, op)
        token = logout_token(op, sub="user-123")
        relay.stop()
        response = post_logout(auth, token)
        assert response.status_int == 503 and response.json["error"] == "temporarily_unavailable"
        relay.start()
        assert post_logout(auth, token).status_int == 200
        assert signed_out(app)
    finally:
        if not relay.running:
            relay.start()
        _dispose(adapter)
        relay.stop()
