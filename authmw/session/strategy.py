"""Session strategies: where a session lives (an encrypted cookie, or a database row).

A strategy turns the session cookie into a :class:`LoadedSession` and back. It is built once
with the values it needs (callbacks, lifetimes, the token refresher) and never reaches back
into :class:`~authmw.Auth`. The JWT strategy decrypts the cookie, rolls its expiry forward
after ``update_age`` (never past ``absolute_max_age`` from sign-in, S-S5), and asks the
revocation list whether the token was revoked (S-S4): one shared-state lookup per request.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from .._types import Claims
from ..cookies.chunks import chunk_cookie_values, stale_chunks
from ..errors import AuthError
from .model import ProviderSession, Session, default_session, provider_session_of, shape_session
from .revocation import Revocations, signed_in_at

if TYPE_CHECKING:
    from .jwt import SessionTokenCodec
    from .scheme_keys import SchemeKeys

log = logging.getLogger("authmw.session")

#: Refreshes provider access tokens kept in the claims: new claims for a token whose access
#: token expired; ``None`` keeps the token as it is, and an empty mapping ends the session
#: (the provider now names another user, P-C8).
TokenRefresher = Callable[[Claims], "Claims | None"]


class SessionShaper(Protocol):
    """The one callback a strategy calls: ``session(session=, token=, user=)``."""

    def session(self, **kwargs: Any) -> Any: ...


@dataclass
class LoadedSession:
    """A valid session read from the request.

    :param user: the stored user record (database sessions), read together with the session.
    :param rolled: whether *set_cookies* already carry a fresh expiry.
    """

    session: Session
    token: Claims | None
    user: Any = None
    set_cookies: list[str] = field(default_factory=list)
    rolled: bool = False

    @property
    def user_id(self) -> str | None:
        """The signed-in user's id: the stored user's, else the token's ``sub``."""
        if isinstance(self.user, Mapping) and isinstance(self.user.get("id"), str):
            return str(self.user["id"])
        sub = (self.token or {}).get("sub")
        return sub if isinstance(sub, str) and sub else None


class SessionStrategy(Protocol):
    """Reads, issues and revokes sessions."""

    name: str
    max_age: int

    def load(
        self, raw: str, realm: SchemeKeys, cookies: Mapping[str, str], *, roll: bool = False
    ) -> LoadedSession | None:
        """The session for cookie value *raw*, or ``None``; *roll* forces a fresh expiry."""

    def issue(
        self, token: Claims, user: Mapping[str, Any], realm: SchemeKeys, cookies: Mapping[str, str]
    ) -> list[str]:
        """``Set-Cookie`` values for a new session (replacing any old one)."""

    def update(
        self, token: Claims, realm: SchemeKeys, cookies: Mapping[str, str]
    ) -> tuple[list[str], Session | None] | None:
        """Rewrite the session from updated *token* claims: cookies and the new session JSON;
        ``None`` when the strategy keeps nothing of the token (database sessions)."""

    def revoke(self, raw: str | None, realm: SchemeKeys, cookies: Mapping[str, str]) -> list[str]:
        """End the session: ``Set-Cookie`` values that clear it."""

    def provider_session(self, raw: str | None, token: Claims | None) -> ProviderSession | None:
        """Where session *raw* (with loaded *token* claims) was signed in, for signing out
        of the provider too; read before :meth:`revoke`."""

    def revoke_user(self, user_id: str) -> None:
        """End every session of *user_id*."""

    def revoke_idp_session(self, provider_id: str, sid: str) -> None:
        """End the sessions signed in through identity-provider session *sid*."""


def session_cookie_headers(
    realm: SchemeKeys, value: str, max_age: int, cookies: Mapping[str, str]
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


def clear_session_headers(realm: SchemeKeys, cookies: Mapping[str, str]) -> list[str]:
    """Expire the session cookie and every chunk of it the request carried."""
    spec = realm.cookies.session_token
    names = stale_chunks(cookies, spec.name, ())
    return [spec.delete(name) for name in names] or [spec.delete()]


class JWTStrategy:
    """Sessions in an encrypted JWT cookie (NextAuth's default), revocable through *revocations*.

    :param absolute_max_age: seconds from sign-in (``auth_time``) after which the token is
        refused and never rolled; ``None`` for no limit.
    """

    name = "jwt"

    def __init__(
        self,
        *,
        callbacks: SessionShaper,
        max_age: int,
        update_age: int,
        refresher: TokenRefresher | None = None,
        revocations: Revocations | None = None,
        absolute_max_age: int | None = None,
    ) -> None:
        self.callbacks = callbacks
        self.max_age = max_age
        self.update_age = update_age
        self.refresher = refresher
        self.revocations = revocations
        self.absolute_max_age = absolute_max_age

    def load(
        self, raw: str, realm: SchemeKeys, cookies: Mapping[str, str], *, roll: bool = False
    ) -> LoadedSession | None:
        now = time.time()
        token = self.claims(raw, realm.session_codec, now)
        if token is None:
            return None  # anonymous, and the middleware clears the cookie
        if self.refresher is not None:
            refreshed = self.refresher(token)
            if refreshed is not None:
                if not refreshed:
                    return None  # signed out: anonymous, and the cookie is cleared
                token, roll = refreshed, True
        if roll or now - float(token.get("iat", now)) >= self.update_age:
            return self._rolled(token, realm, cookies, now)
        session = self.shape(token, float(token["exp"]))
        return None if session is None else LoadedSession(session, token)

    def claims(self, raw: str, codec: SessionTokenCodec, now: float) -> Claims | None:
        """The claims of session token *raw* while it is a live session: decrypted, unexpired,
        within the absolute lifetime (S-S5) and not revoked (S-S4). The one check of session
        cookies and of bearer tokens (``get_token``); the codec's cache holds decryptions
        only, so a revoked token is refused on every read.

        :raises AdapterUnavailable: the revocation list cannot be read.
        """
        token = codec.decode(raw, now=now)
        if token is None or not isinstance(token.get("sub"), str):
            return None
        started = signed_in_at(token)
        if self.absolute_max_age is not None and (
            started is None or now >= started + self.absolute_max_age
        ):
            return None
        if self.revocations is not None and self.revocations.is_revoked(token):
            return None
        return token

    def _lifetime(self, token: Claims, now: float) -> int:
        """Seconds the token issued *now* may live: ``max_age``, capped by the absolute limit."""
        if self.absolute_max_age is None:
            return self.max_age
        left = int(float(token["auth_time"]) + self.absolute_max_age - now)
        return max(1, min(self.max_age, left))

    def _encoded(self, token: Claims, realm: SchemeKeys, now: float) -> tuple[str, int]:
        """*token* encrypted with a fresh ``iat``/``exp`` (its ``jti`` kept), and its lifetime.

        A token without ``auth_time`` (made by Next.js) gets its ``iat``: the rule for
        sessions whose sign-in time is unknown, documented in the README.
        """
        fresh = {k: v for k, v in token.items() if k not in ("iat", "exp")}
        fresh["auth_time"] = int(signed_in_at(token) or now)
        lifetime = self._lifetime(fresh, now)
        try:
            return realm.session_codec.encode(fresh, max_age=lifetime, now=now), lifetime
        except ValueError:
            raise AuthError("Callback", detail="session token too large or not JSON") from None

    def _rolled(
        self, token: Claims, realm: SchemeKeys, cookies: Mapping[str, str], now: float
    ) -> LoadedSession | None:
        encoded, lifetime = self._encoded(token, realm, now)
        set_cookies = session_cookie_headers(realm, encoded, lifetime, cookies)
        session = self.shape(token, now + lifetime)
        if session is None:
            return None
        return LoadedSession(session, token, None, set_cookies, rolled=True)

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
        return shape_session(self.callbacks.session, base, token=token, user=None)

    def issue(
        self, token: Claims, user: Mapping[str, Any], realm: SchemeKeys, cookies: Mapping[str, str]
    ) -> list[str]:
        """A new session: a new ``jti`` and ``auth_time`` (the sign-in time)."""
        now = time.time()
        claims = {k: v for k, v in token.items() if k not in ("iat", "exp", "jti", "auth_time")}
        claims["auth_time"] = int(now)
        encoded, lifetime = self._encoded(claims, realm, now)
        return session_cookie_headers(realm, encoded, lifetime, cookies)

    def update(
        self, token: Claims, realm: SchemeKeys, cookies: Mapping[str, str]
    ) -> tuple[list[str], Session | None] | None:
        """The same session with new claims: ``jti`` and ``auth_time`` are kept, so revoking
        the session still ends copies made before the update, and the limit still holds."""
        now = time.time()
        encoded, lifetime = self._encoded(token, realm, now)
        headers = session_cookie_headers(realm, encoded, lifetime, cookies)
        return headers, self.shape(token, now + lifetime)

    def revoke(self, raw: str | None, realm: SchemeKeys, cookies: Mapping[str, str]) -> list[str]:
        """Put the token on the revocation list (every copy of it stops working) and clear
        the cookie. :raises AdapterUnavailable: the list cannot be written."""
        claims = realm.session_codec.decode(raw) if raw else None
        if claims is not None and self.revocations is not None:
            self.revocations.revoke_token(claims)
        return clear_session_headers(realm, cookies)

    def provider_session(self, raw: str | None, token: Claims | None) -> ProviderSession | None:
        """Kept in the (encrypted) token itself."""
        return provider_session_of(token)

    def revoke_user(self, user_id: str) -> None:
        """End every JWT session of *user_id* signed in until now (a per-user "not before")."""
        if self.revocations is not None:
            self.revocations.revoke_user(user_id)

    def revoke_idp_session(self, provider_id: str, sid: str) -> None:
        if self.revocations is not None:
            self.revocations.revoke_idp_session(provider_id, sid)
