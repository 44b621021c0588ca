"""AuthDispatcher: serves ``{base_path}/{action}[/{provider}]``; other paths pass through."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Protocol

from webob import Response

from .._types import StartResponse, WSGIApplication, WSGIEnvironment
from ..errors import AuthError, RateLimitedError
from ..util.urls import append_query
from .answer import Answer
from .context import RequestContext, RequestError
from .services import EndpointServices

log = logging.getLogger("authmw.dispatch")


class EndpointHandler(Protocol):
    """What the dispatcher needs of a handler (see :class:`authmw.handlers.base.Handler`)."""

    methods: ClassVar[frozenset[str]]
    takes_provider: ClassVar[bool]

    def handle(self, ctx: RequestContext) -> Answer: ...


class EndpointSource(Protocol):
    """What the dispatcher takes from :class:`~authmw.Auth`, once, at construction."""

    @property
    def handlers(self) -> Mapping[str, Any]: ...

    @property
    def endpoints(self) -> EndpointServices: ...


class AuthDispatcher:
    """Routes auth endpoint requests to the handler objects in ``auth.handlers``.

    :param app: the app that serves every other path.
    :param auth: the :class:`~authmw.Auth` configuration; its handlers and endpoint services
        are taken here, once.
    """

    def __init__(self, app: WSGIApplication, auth: EndpointSource) -> None:
        self.app = app
        self.auth = auth
        self.services = auth.endpoints
        self.handlers: Mapping[str, EndpointHandler] = dict(auth.handlers)
        self.base_path = self.services.base_path
        self.prefix = self.base_path + "/"

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path: str = environ.get("PATH_INFO", "")
        if not path.startswith(self.prefix) and path != self.base_path:
            return self.app(environ, start_response)
        response = self.respond(environ, path[len(self.prefix) :])
        return response(environ, start_response)  # type: ignore[no-any-return]

    def respond(self, environ: WSGIEnvironment, rest: str) -> Answer:
        """Answer one auth request; never raises."""
        parts = rest.split("/")
        if len(parts) > 1 and parts[-1] == "":
            parts.pop()  # one trailing slash is fine: /signin/github/
        action = parts[0]
        handler = self.handlers.get(action)
        provider_id = parts[1] if len(parts) == 2 else None
        if (
            handler is None
            or len(parts) > 2
            or (provider_id is not None and not handler.takes_provider)
        ):
            return _plain(404, "Not Found: unknown auth action")
        if provider_id is not None and provider_id not in self.services.providers:
            return _plain(404, "Not Found: unknown provider")
        method = environ.get("REQUEST_METHOD", "GET").upper()
        allowed = handler.methods
        if method == "HEAD" and "GET" in allowed:
            method = "GET"
        if method not in allowed:
            response = _plain(405, "Method Not Allowed")
            response.headers["Allow"] = ", ".join(sorted(allowed))
            return response
        ctx = RequestContext(environ, self.services, action, provider_id)
        try:
            response = handler.handle(ctx)
        except RequestError as exc:
            response = _error_response(ctx, exc.status, exc.message)
        except AuthError as exc:
            level = logging.WARNING if exc.code == "Configuration" else logging.INFO
            log.log(level, "%s/%s failed: %s (%s)", action, provider_id or "", exc.code, exc.detail)
            response = self.auth_error(ctx, exc)
        except Exception:
            incident = uuid.uuid4().hex[:12]
            log.exception("unexpected error in %s (incident %s)", action, incident)
            response = self.auth_error(ctx, AuthError("Configuration", detail=incident))
        log.debug("%s %s/%s answered %s", method, action, provider_id or "", response.status_code)
        return ctx.add_response_headers(response)

    def auth_error(self, ctx: RequestContext, exc: AuthError) -> Response:
        """Send the browser to the sign-in or error page with the NextAuth code.

        A rate-limited attempt also says when to retry: ``Retry-After`` and, for the page,
        ``retryAfter`` (seconds) beside the code.
        """
        retry = exc.retry_after if isinstance(exc, RateLimitedError) else None
        try:
            if ctx.accepts_json and not ctx.wants_json:
                body: dict[str, Any] = {"error": exc.code}
                if retry is not None:
                    body["retryAfter"] = retry
                response = ctx.json(body, status=exc.status)
            else:
                url = ctx.error_url(exc.code, page=exc.page)
                if retry is not None:
                    url = append_query(url, {"retryAfter": str(retry)})
                response = ctx.redirect(url, status=exc.status)
        except RequestError:
            return _plain(400, "Bad Request")
        if retry is not None:
            response.headers["Retry-After"] = str(retry)
        return response


def _plain(status: int, text: str) -> Response:
    response = Response(status=status, content_type="text/plain", charset="utf-8")
    response.text = text
    for key, value in (("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff")):
        response.headers[key] = value
    return response


def _error_response(ctx: RequestContext, status: int, message: str) -> Response:
    if ctx.accepts_json:
        ctx.set_cookies.clear()
        return ctx.json({"error": "BadRequest", "message": message}, status=status)
    return _plain(status, message)
