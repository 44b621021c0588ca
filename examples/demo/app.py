"""A tiny WSGI app: ``/`` public, ``/dashboard`` signed in, ``/admin`` admins, ``/api/me`` JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable
from html import escape
from typing import Any

from authmw import get_session

from ..common import RULES, make_auth

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;"
    "line-height:1.5;color:#1f2937}a{color:#4f46e5}nav a{margin-right:1rem}"
    "code{background:#f3f4f6;padding:.1rem .3rem;border-radius:4px}"
)


def _page(title: str, body: str, session: Any) -> bytes:
    if session:
        who = escape(session["user"].get("email") or "")
        account = (
            f'Signed in as <b>{who}</b> · <a href="/api/auth/signout?callbackUrl=/">Sign out</a>'
        )
    else:
        account = '<a href="/api/auth/signin">Sign in</a>'
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<style>{_STYLE}</style></head><body><nav><a href='/'>Home</a>"
        f"<a href='/dashboard'>Dashboard</a><a href='/admin'>Admin</a>"
        f"<a href='/api/me'>/api/me</a></nav><p>{account}</p><main><h1>{title}</h1>{body}"
        f"</main></body></html>"
    ).encode()


def demo_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """The app itself: it only reads ``environ['auth.session']``; the rules guard it."""
    session = get_session(environ)
    path = environ.get("PATH_INFO", "/").rstrip("/") or "/"
    if path == "/api/me":
        body = json.dumps(dict(session) if session else None).encode()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]
    if path == "/":
        text = "<p>This page is public. Try the dashboard (signed in) or admin (role admin).</p>"
        html = _page("authmw demo", text, session)
    elif path == "/dashboard":
        email = escape(session["user"].get("email") or "") if session else ""
        html = _page("Dashboard", f"<p>Welcome, <b>{email}</b>.</p>", session)
    elif path == "/admin":
        html = _page("Admin", "<p>Only admins see this page.</p>", session)
    else:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"Not Found"]
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
    return [html]


def create_app(*, secret: str | None = None, url: str = "http://127.0.0.1:8000", **options: Any):  # type: ignore[no-untyped-def]
    """The demo app wrapped in the full authmw stack.

    Users and email sign-in tokens live in SQLite unless ``AUTHMW_DATABASE_URL`` says otherwise
    (see :mod:`examples.demo.storage`); sessions are encrypted cookies by default.
    """
    auth = make_auth(secret=secret, url=url, **options)
    return auth.wrap(demo_app, rules=RULES)
