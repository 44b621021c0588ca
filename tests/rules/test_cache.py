"""The per-path outcome cache stays bounded and never changes an answer."""

from __future__ import annotations

from typing import Any

import webtest

from authmw.rules import RulesMiddleware
from authmw.rules import middleware as rules_middleware


def _app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def test_outcome_cache_is_bounded_and_consistent(monkeypatch: Any) -> None:
    monkeypatch.setattr(rules_middleware, "_CACHE_SIZE", 8)
    middleware = RulesMiddleware(
        _app, [{"path": "/admin/**", "roles": ["admin"]}], sign_in_url="/signin"
    )
    app = webtest.TestApp(middleware)
    for i in range(50):
        app.get(f"/page{i}")
        assert len(middleware._cache) <= 8
    for _ in range(3):  # cached or not, the protected path stays protected
        app.get("/admin/x", status=302)
        assert app.get("/public").text == "ok"


def test_sign_in_redirect_honours_the_mount_point() -> None:
    middleware = RulesMiddleware(_app, [{"path": "/**", "signed_in": True}], sign_in_url="/signin")
    app = webtest.TestApp(middleware, extra_environ={"SCRIPT_NAME": "/mounted"})
    location = app.get("/page", status=302).headers["Location"]
    assert location == "/mounted/signin?callbackUrl=%2Fmounted%2Fpage"
