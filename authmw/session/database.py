"""Database sessions: the cookie holds an opaque random token, the adapter holds the session.

The token is ``secrets.token_urlsafe(32)`` (256 bits); the adapter only ever sees its SHA-256
hex digest (S-S2), so a copy of the database is not a copy of the sessions. The expiry is rolled
forward to ``now + max_age`` at most once per ``update_age`` (one write, as NextAuth does);
sign-in always makes a new token and deletes the row of any token the browser brought (S-S1);
sign-out deletes the row, so a copied cookie stops working everywhere (S-S4).

A database that is down raises :class:`StoreUnavailable` out of :meth:`DatabaseStrategy.load`:
it is an :class:`~authmw.adapters.AdapterUnavailable` (the session middleware marks the request
``environ['auth.session_unavailable']`` and keeps the cookie) and an
:class:`~authmw.errors.AuthError` answered with 503 by the auth endpoints.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import re
import secrets
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from .._types import Claims
from ..adapters.base import AdapterSession, AdapterUnavailable, NotFoundError, User
from ..cookies.chunks import join_chunks
from ..errors import AuthError
from .model import Session, default_session, shape_session
from .strategy import (
    LoadedSession,
    ProviderSession,
    SessionShaper,
    clear_session_headers,
    provider_session_of,
    session_cookie_headers,
)

if TYPE_CHECKING:
    from ..adapters.base import Adapter
    from ..state import SharedState
    from .scheme_keys import SchemeKeys

log = logging.getLogger("authmw.session")

T = TypeVar("T")

#: What :func:`secrets.token_urlsafe` makes; anything else is never looked up (B-C13).
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,128}")


class StoreUnavailable(AuthError, AdapterUnavailable):
    """The session store is down: anonymous for the middleware, 503 for auth endpoints."""

    def __init__(self, detail: str = "session store unavailable") -> None:
        super().__init__("Configuration", status=503, detail=detail)


def hash_token(raw: str) -> str:
    """The value the adapter stores for cookie token *raw*: its SHA-256 hex digest."""
    return hashlib.sha256(raw.encode("ascii")).hexdigest()


def well_formed(raw: str | None) -> bool:
    """Whether *raw* looks like a token this strategy issued (cheap check before any I/O)."""
    return raw is not None and _TOKEN.fullmatch(raw) is not None


def guarded(call: Callable[[], T]) -> T:
    """Run an adapter call; an unavailable database becomes :class:`StoreUnavailable`."""
    try:
        return call()
    except StoreUnavailable:
        raise
    except AdapterUnavailable as exc:
        raise StoreUnavailable(str(exc)) from None


def user_dict(user: User) -> dict[str, Any]:
    """A stored user as the plain dict callbacks receive."""
    return dataclasses.asdict(user)


_PROVIDER_SESSION = "provider-session:"


class DatabaseStrategy:
    """Sessions kept by ``auth.adapter``; the cookie only names them.

    :param state: where the provider and ID token of a session signed in with
        ``sign_out_of_provider`` are kept (keyed by the hashed session token, until the
        session's first expiry), for signing out of the provider too.
    """

    name = "database"

    def __init__(
        self,
        *,
        adapter: Adapter,
        callbacks: SessionShaper,
        max_age: int,
        update_age: int,
        state: SharedState | None = None,
    ) -> None:
        self.adapter = adapter
        self.callbacks = callbacks
        self.max_age = max_age
        self.update_age = update_age
        self.state = state

    def lookup(self, raw: str | None) -> tuple[AdapterSession, User] | None:
        """The live session row and user for cookie token *raw*, or ``None``.

        :raises StoreUnavailable: the database cannot be reached.
        """
        if raw is None or not well_formed(raw):
            return None
        found: tuple[AdapterSession, User] | None = guarded(
            lambda: self.adapter.get_session_and_user(hash_token(raw))
        )
        return found

    def load(
        self, raw: str, realm: SchemeKeys, cookies: Mapping[str, str], *, roll: bool = False
    ) -> LoadedSession | None:
        # *roll* is ignored on purpose: database sessions are written at most once per
        # update_age, however often /session is polled.
        found = self.lookup(raw)
        if found is None:
            return None
        row, user = found
        now = datetime.now(UTC)
        if row.expires <= now:
            return None
        expires = row.expires
        set_cookies: list[str] = []
        if row.expires - timedelta(seconds=self.max_age - self.update_age) <= now:
            expires = now + timedelta(seconds=self.max_age)
            token_hash = row.session_token
            updated = guarded(lambda: self.adapter.update_session(token_hash, expires))
            if updated is None:  # signed out meanwhile: never resurrect it
                return None
            set_cookies = session_cookie_headers(realm, raw, self.max_age, cookies)
        record = user_dict(user)
        session = self.shape(record, expires)
        if session is None:
            return None
        return LoadedSession(session, None, record, set_cookies)

    def shape(self, user: dict[str, Any], expires: datetime) -> Session | None:
        """The session JSON for *user*, through the ``session`` callback (``user=`` set)."""
        base = default_session(
            name=user.get("name"),
            email=user.get("email"),
            image=user.get("image"),
            expires=expires.timestamp(),
        )
        return shape_session(self.callbacks.session, base, token=None, user=user)

    def roll(
        self, loaded: LoadedSession, realm: SchemeKeys, cookies: Mapping[str, str]
    ) -> LoadedSession:
        """Nothing to do: database sessions are written at most once per ``update_age``."""
        return loaded

    def update(
        self, token: Claims, realm: SchemeKeys, cookies: Mapping[str, str]
    ) -> tuple[list[str], Session | None] | None:
        """Database sessions keep no claims in the cookie: nothing to rewrite."""
        return None

    def issue(
        self, token: Claims, user: Mapping[str, Any], realm: SchemeKeys, cookies: Mapping[str, str]
    ) -> list[str]:
        """A new token and row for *user* (a stored user); the request's old row is deleted."""
        user_id = user.get("id")
        if not isinstance(user_id, str) or not user_id:
            raise AuthError("Configuration", detail="database sessions need a stored user id")
        old = join_chunks(cookies, realm.cookies.session_token.name)
        raw = secrets.token_urlsafe(32)
        expires = datetime.now(UTC) + timedelta(seconds=self.max_age)
        if old and well_formed(old):
            guarded(lambda: self.adapter.delete_session(hash_token(old)))
        try:
            guarded(lambda: self.adapter.create_session(hash_token(raw), user_id, expires))
        except NotFoundError:
            raise AuthError("Configuration", detail="session user is not stored") from None
        kept = provider_session_of(token)
        if kept is not None and self.state is not None:
            value = json.dumps({"provider": kept.provider, "id_token": kept.id_token})
            state = self.state
            guarded(lambda: state.put_value(_PROVIDER_SESSION + hash_token(raw), value, expires))
        return session_cookie_headers(realm, raw, self.max_age, cookies)

    def revoke(self, raw: str | None, realm: SchemeKeys, cookies: Mapping[str, str]) -> list[str]:
        """Delete the row (so copies of the cookie stop working) and clear the cookie.

        :raises StoreUnavailable: the row could not be deleted; the cookie is kept so the
            user sees that sign-out failed instead of believing it worked.
        """
        if raw and well_formed(raw):
            guarded(lambda: self.adapter.delete_session(hash_token(raw)))
            if self.state is not None:
                state = self.state
                guarded(lambda: state.clear(_PROVIDER_SESSION + hash_token(raw)))
        return clear_session_headers(realm, cookies)

    def provider_session(self, raw: str | None, token: Claims | None) -> ProviderSession | None:
        """Kept in the shared state at sign-in, under the hashed session token."""
        if raw is None or not well_formed(raw) or self.state is None:
            return None
        state = self.state
        value = guarded(lambda: state.get_value(_PROVIDER_SESSION + hash_token(raw)))
        try:
            return provider_session_of(json.loads(value)) if value else None
        except ValueError:
            return None
