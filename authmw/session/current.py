"""The current session and token for app code (NextAuth's ``getSession``/``getToken``)."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from .._types import WSGIEnvironment
from ..adapters.base import AdapterUnavailable
from ..environ_keys import AUTH_KEY, CODEC_KEY, SESSION_KEY, TOKEN_KEY
from .strategy import JWTStrategy

if TYPE_CHECKING:
    from .jwt import SessionTokenCodec
    from .model import Session

log = logging.getLogger("authmw.session")

_MAX_BEARER = 16 * 1024


def get_session(environ: WSGIEnvironment) -> Session | None:
    """The session the middleware put in ``environ['auth.session']`` (``None`` when anonymous)."""
    session: Session | None = environ.get(SESSION_KEY)
    return session


def get_token(environ: WSGIEnvironment) -> dict[str, Any] | None:
    """The decoded session token (jwt strategy), like NextAuth's ``getToken``.

    Falls back to an ``Authorization: Bearer <token>`` header, as ``getToken`` does, for API
    clients that send the token themselves; it is checked as the session cookie is (expiry,
    absolute lifetime, revocation list). Any malformed, expired or revoked value gives
    ``None``, and so does a store that cannot be asked.
    """
    token: dict[str, Any] | None = environ.get(TOKEN_KEY)
    if token is not None:
        return dict(token)
    codec: SessionTokenCodec | None = environ.get(CODEC_KEY)
    strategy = getattr(environ.get(AUTH_KEY), "strategy", None)
    header = environ.get("HTTP_AUTHORIZATION", "")
    if not isinstance(strategy, JWTStrategy) or codec is None:
        return None  # database sessions are not tokens
    if not isinstance(header, str) or len(header) > _MAX_BEARER:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    try:
        return strategy.claims(value.strip(), codec, time.time())
    except AdapterUnavailable:
        log.warning("session store unavailable; bearer token treated as anonymous")
        return None
