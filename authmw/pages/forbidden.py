"""The themed 403 page for a signed-in user without the right role."""

from __future__ import annotations

from collections.abc import Mapping

from .._types import WSGIEnvironment
from ..environ_keys import AUTH_KEY, SESSION_KEY
from .render import PageRenderer

_default_renderer: PageRenderer | None = None


def forbidden_page(
    environ: WSGIEnvironment,
    *,
    sign_in_url: str | None = None,
    renderer: PageRenderer | None = None,
) -> bytes:
    """The 403 page for a signed-in user without the right role, as UTF-8 HTML.

    Rendered by *renderer* (handed over at construction), else by the :class:`~authmw.Auth`
    in front of the app (its theme, its ``template_dirs``
    and their ``forbidden.html``); without one, by the built-in templates. It names the user and
    links home and to *sign_in_url* (a sign-in page with a ``callbackUrl`` back here) so they
    can sign in as someone else.
    """
    if renderer is None:
        renderer = getattr(environ.get(AUTH_KEY), "renderer", None)
    if renderer is None:
        renderer = _builtin_renderer()
    session = environ.get(SESSION_KEY)
    user = session.get("user") if isinstance(session, Mapping) else None
    who = None
    if isinstance(user, Mapping):
        who = next((v for v in (user.get("email"), user.get("name")) if isinstance(v, str)), None)
    home = str(environ.get("SCRIPT_NAME", "")).rstrip("/") + "/"
    return renderer.forbidden(home_url=home, sign_in_url=sign_in_url, user=who).encode()


def _builtin_renderer() -> PageRenderer:
    global _default_renderer
    if _default_renderer is None:
        _default_renderer = PageRenderer()
    return _default_renderer
