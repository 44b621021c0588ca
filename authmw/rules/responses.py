"""The answers a denied request gets, shared by the rules and the framework decorators.

Pure values and small functions of the environ, so a rule and a decorator deny alike: the same
messages, the same 403 page, the same Accept reading and the same relative ``callbackUrl``.
"""

from __future__ import annotations

from urllib.parse import quote

from .._types import WSGIEnvironment

PATH_SAFE = "/:@!$&'()*+,;=-._~"
QUERY_SAFE = PATH_SAFE + "?%"
NO_STORE = [("Cache-Control", "no-store"), ("Vary", "Cookie")]
MESSAGES = {
    "SessionRequired": "Sign in to access this resource.",
    "AccessDenied": "You do not have permission to access this resource.",
}
FORBIDDEN_PAGE = (
    b'<!DOCTYPE html><html><head><meta charset="utf-8"><title>403 Forbidden</title></head>'
    b"<body><h1>403 Forbidden</h1><p>You do not have access to this page.</p></body></html>"
)


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
