"""The views read ``request.auth_session``; the rules in ``wsgi.py`` decide who gets here."""

from __future__ import annotations

from html import escape

from django.http import HttpRequest, HttpResponse, JsonResponse

from ..demo.app import _page as page


def _html(body: bytes) -> HttpResponse:
    return HttpResponse(body, content_type="text/html; charset=utf-8")


def home(request: HttpRequest) -> HttpResponse:
    text = "<p>authmw + Django. This page is public; try the dashboard or admin.</p>"
    return _html(page("authmw + Django", text, request.auth_session))  # type: ignore[attr-defined]


def dashboard(request: HttpRequest) -> HttpResponse:
    session = request.auth_session  # type: ignore[attr-defined]
    email = escape(session.user.get("email") or "")
    return _html(page("Dashboard", f"<p>Welcome, <b>{email}</b>.</p>", session))


def admin(request: HttpRequest) -> HttpResponse:
    return _html(page("Admin", "<p>Only admins see this page.</p>", request.auth_session))  # type: ignore[attr-defined]


def me(request: HttpRequest) -> JsonResponse:
    return JsonResponse(dict(request.auth_session))  # type: ignore[attr-defined]
