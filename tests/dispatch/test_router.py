"""Routing of {base_path}/{action}[/{provider}] and the answers to odd paths and methods."""

from __future__ import annotations

import pytest
import webtest


@pytest.mark.parametrize(
    "path",
    [
        "/api/auth/signin/credentials/credentials",
        "/api/auth/api/auth/signin/credentials",
        "/api/auth/signinn",
        "/api/auth/",
        "/api/auth",
        "/api/auth/session/credentials",
        "/api/auth/providers/x",
    ],
)
def test_A_NA16_odd_auth_paths_are_404(app: webtest.TestApp, path: str) -> None:
    app.get(path, status=404)


def test_A_NA16_one_trailing_slash_is_accepted(app: webtest.TestApp) -> None:
    assert app.get("/api/auth/signin/credentials/").status_int == 200


@pytest.mark.parametrize(
    "provider",
    [
        "nope",
        "..",
        "%2e%2e",
        "credentials%00",
        "CREDENTIALS",
        "%EF%BD%83%EF%BD%92%EF%BD%85%EF%BD%84",  # fullwidth "cred"
        "a%0d%0ab",
    ],
)
def test_B_P1_B_P2_unknown_or_odd_provider_is_404(app: webtest.TestApp, provider: str) -> None:
    response = app.get(f"/api/auth/signin/{provider}", status=404)
    assert provider not in response.text
    app.get(f"/api/auth/callback/{provider}", status=404)


def test_B_P2_encoded_slash_in_provider_is_404(app: webtest.TestApp) -> None:
    app.get("/api/auth/signin/cred%2Fentials", status=404)


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/api/auth/session", "GET, POST"),
        ("DELETE", "/api/auth/signout", "GET, POST"),
        ("POST", "/api/auth/csrf", "GET"),
        ("POST", "/api/auth/providers", "GET"),
    ],
)
def test_B_P4_wrong_method_is_405_with_allow(
    app: webtest.TestApp, method: str, path: str, allow: str
) -> None:
    response = app.request(path, method=method, status=405)
    assert response.headers["Allow"] == allow


def test_B_P4_get_on_credentials_callback_is_405(app: webtest.TestApp) -> None:
    response = app.get("/api/auth/callback/credentials", status=405)
    assert response.headers["Allow"] == "POST"


def test_head_is_served_as_get(app: webtest.TestApp) -> None:
    assert app.head("/api/auth/providers").status_int == 200


def test_other_paths_pass_through(app: webtest.TestApp) -> None:
    assert app.get("/authx").json["path"] == "/authx"
    assert app.get("/").json["session"] is None


def test_custom_handler_can_be_registered(make_app) -> None:  # type: ignore[no-untyped-def]
    from authmw.handlers import Handler

    class Hello(Handler):
        def handle(self, ctx):  # type: ignore[no-untyped-def]
            return ctx.json({"hello": ctx.origin})

    app = make_app(handlers={"hello": Hello()})
    assert app.get("/api/auth/hello").json == {"hello": "http://localhost"}


def test_S_H5_unexpected_error_is_a_generic_redirect_not_a_traceback(make_app, caplog) -> None:  # type: ignore[no-untyped-def]
    from authmw.handlers import Handler

    class Boom(Handler):
        def handle(self, ctx):  # type: ignore[no-untyped-def]
            raise RuntimeError("database password is hunter2")

    app = make_app(handlers={"boom": Boom()})
    response = app.get("/api/auth/boom", status=302)
    assert response.headers["Location"] == "http://localhost/api/auth/error?error=Configuration"
    assert "hunter2" not in response.text
    assert "incident" in caplog.text
    json_response = app.get("/api/auth/boom", headers={"Accept": "application/json"}, status=500)
    assert json_response.json == {"error": "Configuration"}


def test_custom_base_path(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app(base_path="/auth")
    assert "credentials" in app.get("/auth/providers").json
    assert app.get("/api/auth/providers").json["path"] == "/api/auth/providers"
