"""Flask: views protected with ``login_required``; authmw wraps ``app.wsgi_app``."""

from __future__ import annotations

from html import escape
from typing import Any

import flask

from authmw.integrations.flask import current_session, login_required

from ..common import make_auth
from ..demo.app import _page as page


def _html(body: bytes) -> flask.Response:
    return flask.Response(body, content_type="text/html; charset=utf-8")


def create_app(
    *, secret: str | None = None, url: str = "http://127.0.0.1:8000", **options: Any
) -> flask.Flask:
    """The Flask app, its ``wsgi_app`` wrapped in the full authmw stack."""
    auth = make_auth(secret=secret, url=url, **options)
    app = flask.Flask(__name__)

    @app.get("/")
    def home() -> flask.Response:
        text = "<p>authmw + Flask. This page is public; try the dashboard or admin.</p>"
        return _html(page("authmw + Flask", text, current_session()))

    @app.get("/dashboard")
    @login_required
    def dashboard() -> flask.Response:
        session = current_session()
        email = escape(session.user.get("email") or "") if session else ""
        return _html(page("Dashboard", f"<p>Welcome, <b>{email}</b>.</p>", session))

    @app.get("/admin")
    @login_required(role="admin")
    def admin() -> flask.Response:
        return _html(page("Admin", "<p>Only admins see this page.</p>", current_session()))

    @app.get("/api/me")
    @login_required(api=True)
    def me() -> flask.Response:
        return flask.jsonify(current_session())

    # Wrap wsgi_app, not app: app stays a Flask object (app.run, test_client, CLI keep working).
    app.wsgi_app = auth.wrap(app.wsgi_app)  # type: ignore[method-assign]
    return app
