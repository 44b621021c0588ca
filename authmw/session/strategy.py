"""Session strategies: where a session lives (an encrypted cookie, or a database row).

A strategy turns the session cookie into a :class:`LoadedSession` and back. The JWT strategy
is stateless: it decrypts the cookie, rolls its expiry forward after ``update_age``, and never
does I/O.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from .._types import Claims
from ..errors import AuthError
from .chunks import chunk_cookie_values, stale_chunks
from .model import Session, default_session, shape_session

if TYPE_CHECKING:
    from ..config import Auth, Realm

log = logging.getLogger("authmw.session")


@dataclass
class LoadedSession:
    """A valid session read from the request."""

    session: Session
    token: Claims | None
    user: Any = None
    set_cookies: list[str] = field(default_factory=list)


class SessionStrategy(Protocol):
    """Reads, issues and revokes sessions."""

    name: str

    def load(
        self, raw: str, realm: Realm, cookies: Mapping[str, str], *, roll: bool = False
    ) -> LoadedSession | None:
        """The session for cookie value *raw*, or ``None``; *roll* forces a fresh expiry."""

    def issue(
        self, token: Claims, user: Mapping[str, Any], realm: Realm, cookies: Mapping[str, str]
    ) -> list[str]:
        """``Set-Cookie`` values for a new session (replacing any old one)."""

    def revoke(self, raw: str | None, realm: Realm, cookies: Mapping[str, str]) -> list[str]:
        """End the session: ``Set-Cookie`` values that clear it."""


def session_cookie_headers(
    realm: Realm, value: str, max_age: int, cookies: Mapping[str, str]
) -> list[str]:
    """Set the (possibly chunked) session cookie and expire chunks no longer used."""
    spec = realm.cookies.session_token
    try:
        chunks = chunk_cookie_values(spec.name, value)
    except ValueError:
        raise AuthError("Callback", detail="session too large for cookies") from None
    headers = [spec.set(chunk, max_age=max_age, name=name) for name, chunk in chunks]
    written = [name for name, _ in chunks]
    headers.extend(spec.delete(name) for name in stale_chunks(cookies, spec.name, written))
    return headers


def clear_session_headers(realm: Realm, cookies: Mapping[str, str]) -> list[str]:
    """Expire the session cookie and every chunk of it the request carried."""
    spec = realm.cookies.session_token
    names = stale_chunks(cookies, spec.name, ())
    return [spec.delete(name) for name in names] or [spec.delete()]


class JWTStrategy:
    """Stateless sessions in an encrypted JWT cookie (NextAuth's default)."""

    name = "jwt"

    def __init__(self, auth: Auth) -> None:
        self.auth = auth
        self.max_age = auth.session_options.max_age
        self.update_age = auth.session_options.update_age

    def load(
        self, raw: str, realm: Realm, cookies: Mapping[str, str], *, roll: bool = False
    ) -> LoadedSession | None:
        now = time.time()
        token = realm.session_codec.decode(raw, now=now)
        if token is None or not isinstance(token.get("sub"), str):
            return None
        set_cookies: list[str] = []
        refresher = self.auth.token_refresher
        if refresher is not None:
            refreshed = refresher(token)
            if refreshed is not None:
                token, roll = refreshed, True
        expires = float(token["exp"])
        if roll or now - float(token.get("iat", now)) >= self.update_age:
            fresh = {k: v for k, v in token.items() if k not in ("iat", "exp")}
            encoded = realm.session_codec.encode(fresh, max_age=self.max_age, now=now)
            set_cookies = session_cookie_headers(realm, encoded, self.max_age, cookies)
            expires = now + self.max_age
        session = self.shape(token, expires)
        return None if session is None else LoadedSession(session, token, None, set_cookies)

    def shape(self, token: Claims, expires: float) -> Session | None:
        """The session JSON for *token*, through the ``session`` callback."""
        base = default_session(
            name=token.get("name"),
            email=token.get("email"),
            image=token.get("picture"),
            expires=expires,
        )
        # NextAuth v4 maps token name/email/picture to user name/email/image; a claim the token
        # lacks is undefined there and absent from the JSON (a null claim stays null).
        for claim, key in (("name", "name"), ("email", "email"), ("picture", "image")):
            if claim not in token:
                del base["user"][key]
        return shape_session(self.auth.callbacks.session, base, token=token, user=None)

    def issue(
        self, token: Claims, user: Mapping[str, Any], realm: Realm, cookies: Mapping[str, str]
    ) -> list[str]:
        claims = {k: v for k, v in token.items() if k not in ("iat", "exp", "jti")}
        try:
            encoded = realm.session_codec.encode(claims, max_age=self.max_age)
        except ValueError:
            raise AuthError("Callback", detail="session token too large or not JSON") from None
        return session_cookie_headers(realm, encoded, self.max_age, cookies)

    def revoke(self, raw: str | None, realm: Realm, cookies: Mapping[str, str]) -> list[str]:
        return clear_session_headers(realm, cookies)


def make_strategy(auth: Auth) -> SessionStrategy:
    """The strategy named by ``auth.session_options.strategy``."""
    if auth.session_options.strategy == "database":
        from .database import DatabaseStrategy

        return DatabaseStrategy(auth)
    return JWTStrategy(auth)
