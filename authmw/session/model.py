"""The session object handlers see in ``environ['auth.session']``, and the provider session
(provider and ID token) a session token may keep for signing out of the provider."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

log = logging.getLogger("authmw.session")


class Session(dict[str, Any]):
    """A session in NextAuth's JSON shape: ``{"user": {...}, "expires": "...Z"}``.

    It is a ``dict`` (``json.dumps(session)`` gives the wire form) with conveniences.
    """

    @property
    def user(self) -> dict[str, Any]:
        """The signed-in user (``name``, ``email``, ``image`` and what callbacks add)."""
        user = self.get("user")
        return user if isinstance(user, dict) else {}

    @property
    def expires(self) -> str:
        """ISO-8601 UTC expiry with milliseconds."""
        return str(self.get("expires", ""))

    def __repr__(self) -> str:
        return f"Session(user={self.user.get('email') or self.user.get('name')!r})"


@lru_cache(maxsize=1024)
def iso_expires(timestamp: float) -> str:
    """NextAuth's ``expires`` format: ``2026-12-24T12:02:26.995Z`` (cached: a token's expiry
    repeats on every request it is sent with)."""
    moment = datetime.fromtimestamp(timestamp, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def default_session(
    *, name: Any = None, email: Any = None, image: Any = None, expires: float
) -> dict[str, Any]:
    """The session before the ``session`` callback shapes it."""
    return {
        "user": {"name": name, "email": email, "image": image},
        "expires": iso_expires(expires),
    }


def shape_session(
    session_callback: Callable[..., Any],
    base: dict[str, Any],
    *,
    token: Mapping[str, Any] | None,
    user: Any,
) -> Session | None:
    """The ``session`` callback's answer as a :class:`Session`.

    ``None`` (anonymous; the cookie is cleared and ``/session`` answers ``{}``, as NextAuth does)
    when the callback raises or returns something other than a mapping.
    """
    try:
        shaped = session_callback(session=base, token=token, user=user)
    except Exception:
        log.exception("callbacks.session raised; the request is treated as anonymous")
        return None
    if not isinstance(shaped, Mapping):
        log.error("callbacks.session must return a mapping; treating as anonymous")
        return None
    return Session(shaped)


#: Session-token claims naming the provider a session was signed in with and its ID token,
#: kept by providers with ``sign_out_of_provider`` on (the ``id_token_hint`` of sign-out).
PROVIDER_CLAIM = "provider"
ID_TOKEN_CLAIM = "id_token"


@dataclass(frozen=True)
class ProviderSession:
    """The provider a session was signed in with, and the ID token it issued then."""

    provider: str
    id_token: str

    def __repr__(self) -> str:
        return f"ProviderSession(provider={self.provider!r}, id_token=<hidden>)"


def provider_session_of(claims: Mapping[str, Any] | None) -> ProviderSession | None:
    """The :class:`ProviderSession` kept in session-token *claims*, if any."""
    provider = (claims or {}).get(PROVIDER_CLAIM)
    id_token = (claims or {}).get(ID_TOKEN_CLAIM)
    if isinstance(provider, str) and isinstance(id_token, str) and provider and id_token:
        return ProviderSession(provider, id_token)
    return None
