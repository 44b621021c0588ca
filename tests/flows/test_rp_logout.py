"""RP-initiated logout end to end: sign in at the local OP, sign out, visit the OP's
``end_session_endpoint`` and come back through ``{base}/signout-callback/<id>``.

The OP (:class:`tests.providers.idp_logout.LogoutOP`) checks the ``id_token_hint``'s signature
and audience and the registered ``post_logout_redirect_uri`` as a real provider does.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
import requests

from authmw.adapters.sql import SQLAdapter
from authmw.providers.oidc import OIDCProvider
from tests.providers import idp
from tests.support import csrf_token

RETURN_URI = "http://localhost/api/auth/signout-callback/oidc"
LOGOUT_STATE = "authmw.logout-state"
SESSION = "authmw.session-token"


def provider(op: Any, **options: Any) -> OIDCProvider:
    options.setdefault("sign_out_of_provider", True)
    return idp.oidc_provider(op, **options)


@pytest.fixture
def app(logout_op: Any) -> Any:
    logout_op.post_logout_redirect_uris = [RETURN_URI]
    return idp.make_app([provider(logout_op)])


def sign_in(app: Any) -> None:
    response = idp.sign_in(app, "oidc")
    assert response.status_int == 302 and idp.session_of(app), response


def sign_out(app: Any, callback_url: str = "/goodbye", **form: str) -> Any:
    """POST /signout as the built-in page does; returns the response."""
    body = {"csrfToken": csrf_token(app), "callbackUrl": callback_url, **form}
    return app.post("/api/auth/signout", body)


def visit_op(location: str) -> requests.Response:
    """Follow the redirect to the OP's sign-out page like a browser."""
    return requests.get(location, allow_redirects=False, timeout=5)


def test_S_S4_P_G3_sign_out_visits_the_provider_and_lands_on_the_callback_url(
    app: Any, logout_op: Any
) -> None:
    sign_in(app)
    response = sign_out(app)
    assert response.status_int == 302
    assert not idp.session_of(app)  # our session ended before the browser left
    path, query = idp.split(response.headers["Location"])
    assert path == "/end_session"
    assert query["post_logout_redirect_uri"] == RETURN_URI
    assert query["client_id"] == idp.CLIENT_ID
    assert len(query["state"]) >= 43
    cookie = next(c for c in response.headers.getall("Set-Cookie") if LOGOUT_STATE in c)
    assert "HttpOnly" in cookie and "Max-Age=600" in cookie and query["state"] not in cookie
    back = visit_op(response.headers["Location"])
    assert back.status_code == 302, back.text
    assert logout_op.ended == ["user-123"] and not logout_op.signed_in
    landed = app.get(idp.callback_path(back.headers["Location"]))
    assert landed.status_int == 302
    assert landed.headers["Location"] == "http://localhost/goodbye"
    assert LOGOUT_STATE not in app.cookies and SESSION not in app.cookies
    assert not idp.session_of(app)


def test_S_S4_database_sessions_keep_the_hint_in_the_shared_state(
    logout_op: Any, tmp_path: Path
) -> None:
    logout_op.post_logout_redirect_uris = [RETURN_URI]
    adapter = SQLAdapter(tmp_path / "auth.sqlite3", create_tables=True)
    app = idp.make_app([provider(logout_op)], adapter=adapter, session={"strategy": "database"})
    sign_in(app)
    copied = app.cookies[SESSION]
    response = sign_out(app)
    assert idp.split(response.headers["Location"])[0] == "/end_session"
    back = visit_op(response.headers["Location"])
    assert back.status_code == 302 and logout_op.ended == ["user-123"]
    landed = app.get(idp.callback_path(back.headers["Location"]))
    assert landed.headers["Location"] == "http://localhost/goodbye"
    app.set_cookie(SESSION, copied)  # the row is gone: a copied cookie is worthless
    assert not idp.session_of(app)
    adapter.close()


def test_next_auth_client_sign_out_gets_the_provider_url_as_json(app: Any) -> None:
    sign_in(app)
    response = sign_out(app, json="true")
    assert response.status_int == 200
    assert idp.split(response.json["url"])[0] == "/end_session"
    assert not idp.session_of(app)


def test_the_id_token_is_kept_in_the_session_token_but_never_shown(app: Any) -> None:
    sign_in(app)
    assert "id_token" not in str(idp.session_of(app))
    seen = app.get("/").json
    assert "id_token" not in str(seen["session"])
    assert seen["token"]["provider"] == "oidc" and seen["token"]["id_token"].count(".") == 2


def test_without_the_option_sign_out_stays_local_and_keeps_no_id_token(
    logout_op: Any,
) -> None:
    app = idp.make_app([provider(logout_op, sign_out_of_provider=False)])
    sign_in(app)
    assert "id_token" not in app.get("/").json["token"]
    response = sign_out(app)
    assert response.headers["Location"] == "http://localhost/goodbye"
    assert logout_op.requests_to("/end_session") == []


def test_a_provider_without_end_session_endpoint_warns_once_and_signs_out_locally(
    logout_op: Any, caplog: pytest.LogCaptureFixture
) -> None:
    logout_op.advertise_end_session = False
    with caplog.at_level(logging.WARNING, logger="authmw.providers.oidc"):
        app = idp.make_app([provider(logout_op)])
        sign_in(app)
        response = sign_out(app)
    assert response.headers["Location"] == "http://localhost/goodbye"
    assert not idp.session_of(app)
    warnings = [r for r in caplog.records if "end_session_endpoint" in r.getMessage()]
    assert len(warnings) == 1


def test_a_configured_end_session_endpoint_is_used(logout_op: Any) -> None:
    logout_op.advertise_end_session = False
    logout_op.post_logout_redirect_uris = [RETURN_URI]
    endpoint = logout_op.base + "/end_session"
    app = idp.make_app([provider(logout_op, end_session_endpoint=endpoint)])
    sign_in(app)
    response = sign_out(app)
    assert visit_op(response.headers["Location"]).status_code == 302
    assert logout_op.ended == ["user-123"]


def _state_of(response: Any) -> str:
    return idp.split(response.headers["Location"])[1]["state"]


@pytest.mark.parametrize("case", ["missing-state", "wrong-state", "no-cookie", "tampered-cookie"])
def test_P_G1_A_DA10_bad_state_on_the_way_back_lands_on_the_site_root(app: Any, case: str) -> None:
    sign_in(app)
    state = _state_of(sign_out(app, callback_url="/private"))
    query = {"missing-state": "", "wrong-state": "?state=" + "x" * 43}.get(case, f"?state={state}")
    if case == "no-cookie":
        app.reset()  # another browser: it has no state cookie
    if case == "tampered-cookie":
        value = app.cookies[LOGOUT_STATE]
        app.set_cookie(LOGOUT_STATE, value[:-4] + ("AAAA" if value[-4:] != "AAAA" else "BBBB"))
    landed = app.get("/api/auth/signout-callback/oidc" + query)
    assert landed.status_int == 302
    assert landed.headers["Location"] == "http://localhost"
    cleared = [c for c in landed.headers.getall("Set-Cookie") if c.startswith(LOGOUT_STATE)]
    assert cleared and "Max-Age=0" in cleared[0]


def test_P_G1_the_state_of_one_provider_is_worthless_on_another(logout_op: Any) -> None:
    app = idp.make_app(
        [
            provider(logout_op),
            OIDCProvider(
                id="other",
                name="Other",
                issuer=logout_op.issuer,
                allow_loopback_http=True,
                client_id=idp.CLIENT_ID,
                client_secret=idp.CLIENT_SECRET,
                sign_out_of_provider=True,
            ),
        ]
    )
    sign_in(app)
    state = _state_of(sign_out(app, callback_url="/private"))
    landed = app.get(f"/api/auth/signout-callback/other?state={state}")
    assert landed.headers["Location"] == "http://localhost"


@pytest.mark.parametrize(
    "callback_url", ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:x"]
)
def test_P_G1_P_G3_a_foreign_callback_url_never_survives_the_round_trip(
    app: Any, callback_url: str
) -> None:
    sign_in(app)
    response = sign_out(app, callback_url=callback_url)
    back = visit_op(response.headers["Location"])
    landed = app.get(idp.callback_path(back.headers["Location"]))
    assert landed.headers["Location"].startswith("http://localhost")
    assert "evil" not in landed.headers["Location"]


def test_P_G1_A_DA10_what_the_provider_adds_on_the_way_back_picks_nothing(app: Any) -> None:
    sign_in(app)
    state = _state_of(sign_out(app))
    landed = app.get(
        "/api/auth/signout-callback/oidc",
        {"state": state, "callbackUrl": "https://evil.example/", "redirect_uri": "//evil.example"},
    )
    assert landed.headers["Location"] == "http://localhost/goodbye"


def test_the_provider_refuses_a_foreign_post_logout_redirect_uri(app: Any, logout_op: Any) -> None:
    logout_op.post_logout_redirect_uris = ["https://registered.example/back"]
    sign_in(app)
    back = visit_op(sign_out(app).headers["Location"])
    assert back.status_code == 400 and "Location" not in back.headers
    assert logout_op.ended == []
    assert not idp.session_of(app)  # our side ended anyway


def test_bad_input_on_the_way_back_is_never_a_500(app: Any) -> None:
    for query in ("?state=%00%ff", "?state=a&state=b", "?state=" + "x" * 5000):
        response = app.get("/api/auth/signout-callback/oidc" + query, expect_errors=True)
        assert response.status_int in (302, 400), (query, response.status)
    app.set_cookie(LOGOUT_STATE, "not-a-token")
    assert app.get("/api/auth/signout-callback/oidc?state=x").status_int == 302
    assert app.get("/api/auth/signout-callback/nope", expect_errors=True).status_int == 404
