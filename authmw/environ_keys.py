"""The keys authmw sets in the WSGI environ: the one channel between its middlewares.

The session middleware writes them once per request; the dispatcher, the handlers, the rules
and the framework helpers only read them (the handlers that write the session cookie also
take over :data:`SESSION_COOKIES_KEY`, see :mod:`authmw.session.middleware`).
"""

from __future__ import annotations

#: The :class:`~authmw.session.model.Session`, or ``None`` when anonymous.
SESSION_KEY = "auth.session"
#: The decoded session token claims (JWT strategy), or ``None``.
TOKEN_KEY = "auth.token"
#: ``True`` when the session store could not be reached (the request counts as anonymous).
UNAVAILABLE_KEY = "auth.session_unavailable"
#: The :class:`~authmw.Auth` in front of the app (for framework helpers and custom code).
AUTH_KEY = "authmw.auth"
#: The parsed ``Cookie`` header (``{name: value}``) when the request carried the session cookie.
COOKIES_KEY = "authmw.cookies"
#: The :class:`~authmw.session.strategy.LoadedSession` read by the session middleware.
LOADED_KEY = "authmw.loaded_session"
#: ``Set-Cookie`` values the session middleware will add (rolled or cleared session cookie);
#: a handler that writes the session cookie itself empties this list.
SESSION_COOKIES_KEY = "authmw.session_cookies"
#: The session token codec for this request's scheme (``get_token``'s bearer fallback).
CODEC_KEY = "authmw.session_codec"

__all__ = [
    "AUTH_KEY",
    "CODEC_KEY",
    "COOKIES_KEY",
    "LOADED_KEY",
    "SESSION_COOKIES_KEY",
    "SESSION_KEY",
    "TOKEN_KEY",
    "UNAVAILABLE_KEY",
]
