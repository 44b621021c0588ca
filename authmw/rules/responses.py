"""The answers a denied request gets, shared by the rules and the framework decorators.

Pure values and small functions of the environ, so a rule and a decorator deny alike: the same
messages, the same 403 page, the same Accept reading and the same relative ``callbackUrl``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from .._types import WSGIEnvironment

if TYPE_CHECKING:
    from ..pages.render import PageRenderer

PATH_SAFE = "/:@!$&'()*+,;=-._~"
QUERY_SAFE = PATH_SAFE + "?%"
NO_STORE = [("Cache-Control", "no-store"), ("Vary", "Cookie")]
MESSAGES = {
    "SessionRequired": "Sign in to access this resource.",
    "AccessDenied": "You do not have permission to access this resource.",
}
#: Headers of the 403 page besides :data:`NO_STORE`: the auth pages' own (check S-H7).
PAGE_HEADERS = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("Referrer-Policy", "same-origin"),
    ("X-Content-Type-Options", "nosniff"),
    ("Content-Security-Policy", "frame-ancestors 'none'"),
    ("X-Frame-Options", "DENY"),
]
_AUTH_KEY = "authmw.auth"  # authmw.session.middleware.AUTH_KEY, not imported: no cycle
_default_renderer: PageRenderer | None = None


def request_bytes(environ: WSGIEnvironment) -> bytes:
    """``SCRIPT_NAME + PATH_INFO`` as the request's bytes (WSGI strings are latin-1)."""
    path = str(environ.get("SCRIPT_NAME", "")) + str(environ.get("PATH_INFO", ""))
    try:
        return path.encode("latin-1")
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogatepass")


def callback_url(environ: WSGIEnvironment, raw_path: bytes | None = None) -> str:
    """The original URL relative to the host: percent-encoded path (one leading ``/``) + query."""
    if raw_path is None:
        raw_path = request_bytes(environ)
    path = "/" + quote(raw_path, safe=PATH_SAFE).lstrip("/")  # never "//host"
    query = str(environ.get("QUERY_STRING", ""))
    if not query:
        return path
    try:
        query_bytes = query.encode("latin-1")
    except UnicodeEncodeError:
        query_bytes = query.encode("utf-8")
    return f"{path}?{quote(query_bytes, safe=QUERY_SAFE)}"


def wants_json(environ: WSGIEnvironment) -> bool:
    """Whether ``Accept`` ranks ``application/json`` above ``text/html``."""
    header = environ.get("HTTP_ACCEPT")
    if not header or "json" not in header:
        return False
    from webob.acceptparse import create_accept_header

    offers = create_accept_header(header).acceptable_offers(["text/html", "application/json"])
    return bool(offers) and offers[0][0] == "application/json"


def with_callback(target: str, environ: WSGIEnvironment, raw_path: bytes | None = None) -> str:
    """*target* (a sign-in page) with ``callbackUrl`` set to the current relative URL."""
    parts = urlsplit(target)
    extra = urlencode({"callbackUrl": callback_url(environ, raw_path)})
    return urlunsplit(parts._replace(query=f"{parts.query}&{extra}" if parts.query else extra))


def forbidden_page(environ: WSGIEnvironment, *, sign_in_url: str | None = None) -> bytes:
    """The 403 page for a signed-in user without the right role, as UTF-8 HTML.

    Rendered by the :class:`~authmw.Auth` in front of the app (its theme, its ``template_dirs``
    and their ``forbidden.html``); without one, by the built-in templates. It names the user and
    links home and to *sign_in_url* (a sign-in page with a ``callbackUrl`` back here) so they
    can sign in as someone else.
    """
    auth = environ.get(_AUTH_KEY)
    renderer: PageRenderer | None = getattr(auth, "renderer", None)
    if renderer is None:
        renderer = _builtin_renderer()
    session = environ.get("auth.session")
    user = session.get("user") if isinstance(session, Mapping) else None
    who = None
    if isinstance(user, Mapping):
        who = next((v for v in (user.get("email"), user.get("name")) if isinstance(v, str)), None)
    home = str(environ.get("SCRIPT_NAME", "")).rstrip("/") + "/"
    return renderer.forbidden(home_url=home, sign_in_url=sign_in_url, user=who).encode()


def _builtin_renderer() -> PageRenderer:
    global _default_renderer
    if _default_renderer is None:
        from ..pages.render import PageRenderer

        _default_renderer = PageRenderer()
    return _default_renderer
