"""A JSON answer written straight to WSGI, for the endpoint every page polls (``/session``).

It sends exactly the bytes and headers a :class:`webob.Response` built by
:meth:`~authmw.dispatch.context.RequestContext.json` sends (``Content-Type``,
``Content-Length``, then what the dispatcher adds), without building a response object and
its header dictionary on every request.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

from webob import Response

from .._types import StartResponse, WSGIEnvironment

__all__ = ["Answer", "JSONAnswer"]

_REASONS = {status.value: f"{status.value} {status.phrase}" for status in HTTPStatus}


class JSONAnswer:
    """*data* as compact JSON with status *status_code*; a WSGI application."""

    __slots__ = ("body", "headerlist", "status", "status_code")

    def __init__(self, data: Any, *, status_code: int = 200) -> None:
        self.body = json.dumps(data, separators=(",", ":")).encode()
        self.status_code = status_code
        self.status = _REASONS[status_code]
        self.headerlist: list[tuple[str, str]] = [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(self.body))),
        ]

    def add_headers(
        self,
        set_cookies: Iterable[str],
        fixed: Iterable[tuple[str, str]],
        last: tuple[str, str] | None,
    ) -> None:
        """Append ``Set-Cookie`` values and *fixed* headers; *last* replaces any header of its
        name and goes at the end (as ``webob``'s ``headers[key] = value`` orders them)."""
        headers = self.headerlist
        headers.extend(("Set-Cookie", value) for value in set_cookies)
        headers.extend(fixed)
        if last is not None:
            headers[:] = [*(h for h in headers if h[0] != last[0]), last]

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response(self.status, self.headerlist)
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [self.body]


#: What a handler returns.
Answer = Response | JSONAnswer
