"""The views: ``permission=`` is checked by authmw's security policy against ``Root.__acl__``."""

from __future__ import annotations

from html import escape
from typing import Any

from pyramid.authorization import Allow, Authenticated
from pyramid.request import Request
from pyramid.response import Response
from pyramid.view import view_config

from ..demo.app import _page as page


class Root:
    """The context of every view: who may do what, by principal."""

    __acl__ = [(Allow, Authenticated, "signed-in"), (Allow, "role:admin", "admin")]

    def __init__(self, request: Request) -> None:
        self.request = request


def _html(body: bytes) -> Response:
    return Response(body=body, content_type="text/html", charset="utf-8")


@view_config(route_name="home")
def home(request: Request) -> Response:
    text = "<p>authmw + Pyramid. This page is public; try the dashboard or admin.</p>"
    return _html(page("authmw + Pyramid", text, request.auth_session))


@view_config(route_name="dashboard", permission="signed-in")
def dashboard(request: Request) -> Response:
    email = escape(request.identity.get("email") or "")
    return _html(page("Dashboard", f"<p>Welcome, <b>{email}</b>.</p>", request.auth_session))


@view_config(route_name="admin", permission="admin")
def admin(request: Request) -> Response:
    return _html(page("Admin", "<p>Only admins see this page.</p>", request.auth_session))


@view_config(route_name="me", permission="signed-in", renderer="json")
def me(request: Request) -> dict[str, Any]:
    return dict(request.auth_session)
