"""SessionMiddleware: reads the session cookie once and puts the session in the environ.

Sets ``environ['auth.session']`` (a :class:`~authmw.session.model.Session` or ``None``) and
``environ['auth.token']`` (the decoded JWT claims or ``None``). Anonymous requests cost one
substring test; Set-Cookie is only added when the session was rolled or a bad cookie cleared.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .._types import StartResponse, WSGIApplication, WSGIEnvironment
from ..adapters.base import AdapterUnavailable
from .chunks import join_chunks
from .cookies import parse_cookie_header
from .strategy import LoadedSession, clear_session_headers

if TYPE_CHECKING:
    from ..config import Auth

log = logging.getLogger("authmw.session")

SESSION_KEY = "auth.session"
TOKEN_KEY = "auth.token"
UNAVAILABLE_KEY = "auth.session_unavailable"
AUTH_KEY = "authmw.auth"
COOKIES_KEY = "authmw.cookies"


class SessionMiddleware:
    """Injects the current session into ``environ['auth.session']``.

    :param app: the WSGI app to wrap.
    :param auth: the :class:`~authmw.Auth` configuration.
    """

    def __init__(self, app: WSGIApplication, auth: Auth) -> None:
        self.app = app
        self.auth = auth
        self.strategy = auth.strategy

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        environ[AUTH_KEY] = self.auth
        environ[SESSION_KEY] = None
        environ[TOKEN_KEY] = None
        header = environ.get("HTTP_COOKIE")
        realm = self.auth.realm(environ)
        name = realm.cookies.session_token.name
        if not header or name not in header:
            return self.app(environ, start_response)

        cookies = parse_cookie_header(header)
        environ[COOKIES_KEY] = cookies
        loaded = self.load(environ, cookies)
        if loaded is not None:
            environ[SESSION_KEY] = loaded.session
            environ[TOKEN_KEY] = loaded.token
            extra = loaded.set_cookies
        elif environ.get(UNAVAILABLE_KEY):
            extra = []  # the store is down: keep the cookie, the session may be fine
        else:
            extra = clear_session_headers(realm, cookies)
        if not extra:
            return self.app(environ, start_response)

        def start(status: str, headers: list[tuple[str, str]], exc_info=None):  # type: ignore[no-untyped-def]
            # A handler that set the session cookie itself (sign-in, sign-out) wins.
            if not any(
                key.lower() == "set-cookie" and value.startswith(name) for key, value in headers
            ):
                headers = [*headers, *(("Set-Cookie", value) for value in extra)]
                headers.append(("Vary", "Cookie"))
            return start_response(status, headers, exc_info)

        return self.app(environ, start)

    def load(self, environ: WSGIEnvironment, cookies: dict[str, str]) -> LoadedSession | None:
        """Read the session from parsed *cookies*; ``None`` when absent or invalid."""
        realm = self.auth.realm(environ)
        raw = join_chunks(cookies, realm.cookies.session_token.name)
        if not raw:
            return None
        try:
            return self.strategy.load(raw, realm, cookies)
        except AdapterUnavailable:
            log.warning("session store unavailable; request treated as anonymous")
            environ[UNAVAILABLE_KEY] = True
            return None
        except Exception:
            log.exception("loading the session failed; request treated as anonymous")
            return None
