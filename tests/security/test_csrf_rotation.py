"""S-X2: the CSRF token is re-issued at sign-in and at sign-out."""

from __future__ import annotations

from collections.abc import Callable

import webtest

from tests.support import csrf_token, sign_in


def test_S_X2_a_token_from_before_sign_in_is_refused_after_it(
    make_app: Callable[..., webtest.TestApp],
) -> None:
    app = make_app()
    before = csrf_token(app)
    sign_in(app, status=302)
    after = csrf_token(app)
    assert after != before
    stale = app.post("/api/auth/signout", {"csrfToken": before}, status=302)
    assert stale.location.endswith("csrf=true")
    assert app.get("/api/auth/session").json, "still signed in"
    app.post("/api/auth/signout", {"csrfToken": after}, status=302)
    assert app.get("/api/auth/session").json == {}


def test_S_X2_a_token_from_before_sign_out_is_refused_after_it(
    make_app: Callable[..., webtest.TestApp],
) -> None:
    app = make_app()
    sign_in(app, status=302)
    signed_in = csrf_token(app)
    app.post("/api/auth/signout", {"csrfToken": signed_in}, status=302)
    assert csrf_token(app) != signed_in
    form = {"csrfToken": signed_in, "email": "alice@example.com", "password": "alice-password"}
    refused = app.post("/api/auth/callback/credentials", form, status=302)
    assert "csrf=true" in refused.location
