"""Reading an auth request's input safely: query string and POST body (form or JSON).

Malformed input raises :class:`RequestError` (answered with a short 4xx, never a traceback).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from .._types import WSGIEnvironment
from ..util.strict_json import parse_object

MAX_BODY = 64 * 1024
MAX_FIELDS = 100
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


class RequestError(Exception):
    """Malformed input: answered with *status* and a short message, never a traceback."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def parse_pairs(text: str) -> dict[str, str]:
    """Parse a query string or form body: invalid UTF-8 or duplicate keys are a 400."""
    try:
        pairs = parse_qsl(text, keep_blank_values=True, errors="strict", max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError:
        raise RequestError(400, "invalid UTF-8 in parameters") from None
    except ValueError:
        raise RequestError(400, "too many parameters") from None
    result: dict[str, str] = {}
    for key, value in pairs:
        if key in result:
            raise RequestError(400, "duplicate parameter")
        if "\x00" in key or "\x00" in value:
            raise RequestError(400, "NUL in parameters")
        result[key] = value
    return result


def read_query(environ: WSGIEnvironment) -> dict[str, str]:
    """The query string's parameters."""
    raw = environ.get("QUERY_STRING", "")
    if len(raw) > MAX_BODY:
        raise RequestError(414, "query string too long")
    return parse_pairs(raw)


def read_body(environ: WSGIEnvironment) -> dict[str, Any]:
    """A POST body: a form, or a JSON object (the next-auth client's ``update()``)."""
    ctype = (environ.get("CONTENT_TYPE") or "").split(";", 1)[0].strip().lower()
    if ctype not in (FORM, JSON):
        raise RequestError(415, "POST bodies must be form-urlencoded or JSON")
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise RequestError(400, "invalid Content-Length") from None
    if length < 0:
        raise RequestError(400, "invalid Content-Length")
    if length > MAX_BODY:
        raise RequestError(413, "request body too large")
    raw = environ["wsgi.input"].read(length) if length else b""
    if len(raw) != length:
        raise RequestError(400, "incomplete request body")
    if ctype == JSON:
        data = parse_object(raw or b"{}")  # B-J1: deep nesting is a plain 400 too
        if data is None:
            raise RequestError(400, "invalid JSON body: an object is required")
        return data
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        raise RequestError(400, "form bodies must be percent-encoded") from None
    return parse_pairs(text)
