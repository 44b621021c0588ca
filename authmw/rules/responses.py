"""The answers a denied request gets, shared by the rules and the framework decorators.

Pure values and small functions of the environ, so a rule and a decorator deny alike: the same
messages, the same 403 page, the same Accept reading and the same relative ``callbackUrl``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import quote

from .._types import WSGIEnvironment
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
_STATUS_LINES = {
    302: "302 Found",
    401: "401 Unauthorized",
    403: "403 Forbidden",
    503: "503 Service Unavailable",
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
) -> Denial:
    """The one answer for each refusal, for the rules and every framework decorator.

    :param as_json: answer in JSON (an API rule or decorator, or ``Accept`` prefers JSON).
    :param sign_in_location: where an anonymous browser goes (with its ``callbackUrl``).
    :param forbidden_redirect: where a signed-in browser without the right goes, if set.
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
        headers = [("Content-Type", "text/html; charset=utf-8"), *NO_STORE]
        return Denial(403, headers, FORBIDDEN_PAGE)
    if as_json:
        return _json(401, "SessionRequired")
    return Denial(302, [("Location", sign_in_location), *NO_STORE], b"")
