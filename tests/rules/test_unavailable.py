"""R-7 / A-NA15: a session store that is down never opens a protected path."""

from __future__ import annotations

from typing import Any

import webtest

from authmw.rules import RulesMiddleware


def _app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"secret page"]


def _unavailable(app: Any) -> Any:
    def wrapper(environ: dict[str, Any], start_response: Any) -> Any:
        environ["auth.session"] = None
        environ["auth.session_unavailable"] = True
        return app(environ, start_response)

    return wrapper


RULES = [
    {"path": "/public/**", "public": True},
    {"path": "/api/**", "signed_in": True, "api": True},
]


def test_R_7_protected_html_path_is_503_with_retry_after() -> None:
    app = webtest.TestApp(
        _unavailable(RulesMiddleware(_app, RULES, sign_in_url="/signin", default="signed_in"))
    )
    response = app.get("/dashboard", status=503)
    assert response.headers["Retry-After"] == "5"
    assert b"secret page" not in response.body


def test_R_7_protected_api_path_is_503_json() -> None:
    app = webtest.TestApp(_unavailable(RulesMiddleware(_app, RULES, sign_in_url="/signin")))
    assert app.get("/api/me", status=503).json["error"] == "SessionUnavailable"


def test_R_7_public_paths_keep_working() -> None:
    app = webtest.TestApp(_unavailable(RulesMiddleware(_app, RULES, sign_in_url="/signin")))
    assert app.get("/public/page").text == "secret page"
