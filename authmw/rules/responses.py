"""The answers a denied request gets, shared by the rules and the framework decorators.

Pure values and small functions of the environ, so a rule and a decorator deny alike: the same
messages, the same 403 page, the same Accept reading and the same relative ``callbackUrl``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from .._types import WSGIEnvironment
from ..util.headers import PAGE_SECURITY_HEADERS
from ..util.negotiation import prefers_json
from .decide import Refusal

PATH_SAFE = "/:@!$&'()*+,;=-._~"
QUERY_SAFE = PATH_SAFE + "?%"
NO_STORE = [("Cache-Control", "no-store"), ("Vary", "Cookie")]
MESSAGES = {
    "SessionRequired": "Sign in to access this resource.",
    "AccessDenied": "You do not have permission to access this resource.",
    "SessionUnavailable": "The session store is unavailable.",
}
UNAVAILABLE_TEXT = b"Service Unavailable: sign-in is temporarily unavailable, try again shortly."
_PLAIN_FORBIDDEN = b"<!DOCTYPE html><title>403 Forbidden</title><h1>403 Forbidden</h1>"
_STATUS_LINES = {
    302: "302 Found",
    401: "401 Unauthorized",
    403: "403 Forbidden",
    503: "503 Service Unavailable",
}
#: Headers of the 403 page besides :data:`NO_STORE`: the auth pages' own (check S-H7).
PAGE_HEADERS = [("Content-Type", "text/html; charset=utf-8"), *PAGE_SECURITY_HEADERS]


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
    return prefers_json(environ.get("HTTP_ACCEPT"))


@dataclass(frozen=True, slots=True)
class Denial:
    """A response to send instead of the protected page: status, headers and body."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def status_line(self) -> str:
        return _STATUS_LINES[self.status]


def _json(status: int, code: str) -> Denial:
    body = json.dumps({"error": code, "message": MESSAGES[code]}).encode()
    headers = [("Content-Type", "application/json"), *NO_STORE]
    if status == 401:
        headers.append(("WWW-Authenticate", 'Bearer realm="authmw"'))
    elif status == 503:
        headers.append(("Retry-After", "5"))
    return Denial(status, headers, body)


def denial(
    refusal: Refusal,
    *,
    as_json: bool,
    sign_in_location: str = "",
    forbidden_redirect: str | None = None,
    forbidden_page: Callable[[], bytes] | None = None,
) -> Denial:
    """The one answer for each refusal, for the rules and every framework decorator.

    :param as_json: answer in JSON (an API rule or decorator, or ``Accept`` prefers JSON).
    :param sign_in_location: the sign-in page with a ``callbackUrl`` back here: where an
        anonymous browser goes, and the 403 page's "sign in as someone else" link.
    :param forbidden_redirect: where a signed-in browser without the right goes, if set.
    :param forbidden_page: renders the themed 403 page (see :mod:`authmw.pages.forbidden`).
    """
    if refusal == "unavailable":
        if as_json:
            return _json(503, "SessionUnavailable")
        headers = [("Retry-After", "5"), ("Content-Type", "text/plain; charset=utf-8")]
        return Denial(503, [*headers, *NO_STORE], UNAVAILABLE_TEXT)
    if refusal == "forbidden":
        if as_json:
            return _json(403, "AccessDenied")
        if forbidden_redirect:
            return Denial(302, [("Location", forbidden_redirect), *NO_STORE], b"")
        body = forbidden_page() if forbidden_page is not None else _PLAIN_FORBIDDEN
        return Denial(403, [*PAGE_HEADERS, *NO_STORE], body)
    if as_json:
        return _json(401, "SessionRequired")
    return Denial(302, [("Location", sign_in_location), *NO_STORE], b"")
