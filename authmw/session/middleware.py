"""SessionMiddleware: reads the session cookie once and puts the session in the environ.

Sets ``environ['auth.session']`` (a :class:`~authmw.session.model.Session` or ``None``),
``environ['auth.token']`` (the decoded JWT claims or ``None``) and the whole
:class:`~authmw.session.strategy.LoadedSession` for the auth endpoints, which reuse it instead
of reading the session again. Anonymous requests cost one substring test.

A rolled session cookie, or the clearing of a bad one, is queued in
``environ['authmw.session_cookies']`` and added to the response; a handler that writes the
session cookie itself (sign-in, sign-out, ``/session``) empties that list first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol

from .._types import StartResponse, WSGIApplication, WSGIEnvironment
from ..adapters.base import AdapterUnavailable
from ..cookies.chunks import join_chunks
from ..cookies.codec import parse_cookie_header
from ..environ_keys import (
    AUTH_KEY,
    CODEC_KEY,
    COOKIES_KEY,
    LOADED_KEY,
    SESSION_COOKIES_KEY,
    SESSION_KEY,
    TOKEN_KEY,
    UNAVAILABLE_KEY,
)
from .strategy import LoadedSession, SessionStrategy, clear_session_headers

if TYPE_CHECKING:
    from .scheme_keys import SchemeKeys

__all__ = [
    "AUTH_KEY",
    "COOKIES_KEY",
    "SESSION_KEY",
    "TOKEN_KEY",
    "UNAVAILABLE_KEY",
    "SessionMiddleware",
    "SessionSource",
]

log = logging.getLogger("authmw.session")


class SessionSource(Protocol):
    """What the middleware takes from :class:`~authmw.Auth`, once, at construction."""

    @property
    def strategy(self) -> SessionStrategy: ...

    @property
    def scheme_keys(self) -> Callable[[WSGIEnvironment], SchemeKeys]: ...


class SessionMiddleware:
    """Injects the current session into ``environ['auth.session']``.

    :param app: the WSGI app to wrap.
    :param auth: the :class:`~authmw.Auth` configuration; its session strategy and cookie
        keys are taken here, once.
    """

    def __init__(self, app: WSGIApplication, auth: SessionSource) -> None:
        self.app = app
        self.auth = auth
        self.strategy = auth.strategy
        self.keys_for = auth.scheme_keys
        #: Debug lines cost nothing on the hot path unless debug logging was on when built.
        self.debug = log.isEnabledFor(logging.DEBUG)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        environ[AUTH_KEY] = self.auth
        environ[SESSION_KEY] = None
        environ[TOKEN_KEY] = None
        environ[LOADED_KEY] = None
        keys = self.keys_for(environ)
        environ[CODEC_KEY] = keys.session_codec
        header = environ.get("HTTP_COOKIE")
        name = keys.cookies.session_token.name
        if not header or name not in header:
            return self.app(environ, start_response)

        cookies = parse_cookie_header(header)
        environ[COOKIES_KEY] = cookies
        loaded = self.load(environ, keys, cookies)
        if loaded is not None:
            environ[SESSION_KEY] = loaded.session
            environ[TOKEN_KEY] = loaded.token
            environ[LOADED_KEY] = loaded
            pending = list(loaded.set_cookies)
        elif environ.get(UNAVAILABLE_KEY):
            pending = []  # the store is down: keep the cookie, the session may be fine
        else:
            pending = clear_session_headers(keys, cookies)
        if self.debug:
            unavailable = " (store unavailable)" if environ.get(UNAVAILABLE_KEY) else ""
            log.debug("session: %s%s", "loaded" if loaded else "none", unavailable)
        if not pending:
            return self.app(environ, start_response)
        environ[SESSION_COOKIES_KEY] = pending

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if pending:  # emptied by a handler that wrote the session cookie itself
                headers = [*headers, *(("Set-Cookie", value) for value in pending)]
                headers.append(("Vary", "Cookie"))
            return start_response(status, headers, exc_info)

        return self.app(environ, start)

    def load(
        self, environ: WSGIEnvironment, keys: SchemeKeys, cookies: dict[str, str]
    ) -> LoadedSession | None:
        """Read the session from parsed *cookies*; ``None`` when absent or invalid."""
        raw = join_chunks(cookies, keys.cookies.session_token.name)
        if not raw:
            return None
        try:
            return self.strategy.load(raw, keys, cookies)
        except AdapterUnavailable:
            log.warning("session store unavailable; request treated as anonymous")
            environ[UNAVAILABLE_KEY] = True
            return None
        except Exception:
            log.exception("loading the session failed; request treated as anonymous")
            return None
