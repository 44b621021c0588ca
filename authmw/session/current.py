"""The current session and token for app code (NextAuth's ``getSession``/``getToken``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._types import WSGIEnvironment
from ..environ_keys import CODEC_KEY, SESSION_KEY, TOKEN_KEY

if TYPE_CHECKING:
    from .jwt import SessionTokenCodec
    from .model import Session

_MAX_BEARER = 16 * 1024


def get_session(environ: WSGIEnvironment) -> Session | None:
    """The session the middleware put in ``environ['auth.session']`` (``None`` when anonymous)."""
    session: Session | None = environ.get(SESSION_KEY)
    return session


def get_token(environ: WSGIEnvironment) -> dict[str, Any] | None:
    """The decoded session token (jwt strategy), like NextAuth's ``getToken``.

    Falls back to an ``Authorization: Bearer <token>`` header, as ``getToken`` does, for API
    clients that send the token themselves. Any malformed value gives ``None``.
    """
    token: dict[str, Any] | None = environ.get(TOKEN_KEY)
    if token is not None:
        return dict(token)
    codec: SessionTokenCodec | None = environ.get(CODEC_KEY)
    header = environ.get("HTTP_AUTHORIZATION", "")
    if codec is None or not isinstance(header, str) or len(header) > _MAX_BEARER:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    decoded: dict[str, Any] | None = codec.decode(value.strip())
    return decoded
