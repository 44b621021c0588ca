"""Bottle: ``AuthPlugin`` hands routes the session, ``auth_required`` protects them."""

from __future__ import annotations

from html import escape
from typing import Any

import bottle

from authmw.integrations.bottle import AuthPlugin, auth_required

from ..common import make_auth
from ..demo.app import _page as page


def create_app(*, secret: str | None = None, url: str = "http://127.0.0.1:8000", **options: Any):  # type: ignore[no-untyped-def]
    """The Bottle app wrapped in the full authmw stack."""
    auth = make_auth(secret=secret, url=url, **options)
    app = bottle.Bottle()
    app.install(AuthPlugin(auth))

    @app.get("/")
    def home(session: Any) -> bytes:
        text = "<p>authmw + Bottle. This page is public; try the dashboard or admin.</p>"
        return page("authmw + Bottle", text, session)

    @app.get("/dashboard")
    @auth_required
    def dashboard(session: Any) -> bytes:
        email = escape(session.user.get("email") or "")
        return page("Dashboard", f"<p>Welcome, <b>{email}</b>.</p>", session)

    @app.get("/admin")
    @auth_required(role="admin")
    def admin(session: Any) -> bytes:
        return page("Admin", "<p>Only admins see this page.</p>", session)

    @app.get("/api/me")
    @auth_required(api=True)
    def me(session: Any) -> dict[str, Any]:
        return dict(session)  # Bottle answers dicts as JSON

    return auth.wrap(app)
