"""Database sessions: the cookie holds an opaque random token, the adapter holds the session.

The token is ``secrets.token_urlsafe(32)`` (256 bits); the adapter only ever sees its SHA-256
hex digest (S-S2), so a copy of the database is not a copy of the sessions. The expiry is rolled
forward to ``now + max_age`` at most once per ``update_age`` (one write, as NextAuth does);
sign-in always makes a new token and deletes the row of any token the browser brought (S-S1);
sign-out deletes the row, so a copied cookie stops working everywhere (S-S4). The row has only
an expiry, so the sign-in time is kept in the shared state and the rolled expiry never passes
``absolute_max_age`` after it (S-S5); a session whose sign-in time is unknown (older than this
rule, or kept in-process and the process restarted) counts from its first roll. One round trip
a request: an adapter's ``load_session`` reads row, user and sign-in time (from its own state).

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
from ..errors import AuthError, ConfigurationError
from .model import ProviderSession, Session, default_session, provider_session_of, shape_session
from .revocation import IDP_CLAIM, Revocations
from .strategy import LoadedSession, SessionShaper, clear_session_headers, session_cookie_headers

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
    """A stored user as the plain dict callbacks receive (its fields are plain values: no
    deep copy, unlike ``dataclasses.asdict``, on every request)."""
    return {field.name: getattr(user, field.name) for field in dataclasses.fields(user)}


_PROVIDER_SESSION = "provider-session:"
#: An adapter's ``load_session``: the live row, its user and a live shared-state value.
OneTripRead = Callable[[str, str | None], tuple[AdapterSession, User, str | None] | None]


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
        revocations: Revocations | None = None,
        absolute_max_age: int | None = None,
    ) -> None:
        self.adapter = adapter
        self.callbacks = callbacks
        self.max_age = max_age
        self.update_age = update_age
        self.state = state
        self.revocations = revocations
        self.absolute_max_age = absolute_max_age
        load = getattr(adapter, "load_session", None)  # row + user (+ a state value) at once
        self._load: OneTripRead | None = load if callable(load) else None
        own = revocations is not None and revocations.state is getattr(adapter, "shared_state", 0)
        #: Whether the sign-in time is read with the row (same round trip).
        self._reads_start = bool(own and absolute_max_age and self._load is not None)

    def _expiry(
        self, row: str, now: datetime, *, signing_in: bool = False, start: str | None = None
    ) -> datetime:
        """``now + max_age``, capped at ``absolute_max_age`` after the sign-in of *row*."""
        expires = now + timedelta(seconds=self.max_age)
        revocations = self.revocations
        if self.absolute_max_age is None or revocations is None:
            return expires
        limit = timedelta(seconds=self.absolute_max_age)
        moment = None if signing_in else revocations.start_from(start)
        if not signing_in and not self._reads_start:  # not read with the row
            moment = guarded(lambda: revocations.start_of(row))
        if moment is None:  # a sign-in, or a session whose sign-in time is unknown: from now
            guarded(lambda: revocations.note_start(row, now.timestamp(), now + limit))
            return min(expires, now + limit)
        return min(expires, datetime.fromtimestamp(moment, UTC) + limit)

    def lookup(self, raw: str | None) -> tuple[AdapterSession, User, str | None] | None:
        """The live session row, its user and (read with them) its noted sign-in time for
        cookie token *raw*, or ``None``. :raises StoreUnavailable: the database is down."""
        if raw is None or not well_formed(raw):
            return None
        row = hash_token(raw)
        load = self._load
        if load is None:
            pair = guarded(lambda: self.adapter.get_session_and_user(row))
            return None if pair is None else (*pair, None)
        key = Revocations.start_key(row) if self._reads_start else None
        return guarded(lambda: load(row, key))

    def load(
        self, raw: str, realm: SchemeKeys, cookies: Mapping[str, str], *, roll: bool = False
    ) -> LoadedSession | None:
        # *roll* is ignored on purpose: database sessions are written at most once per
        # update_age, however often /session is polled.
        found = self.lookup(raw)
        if found is None:
            return None
        row, user, start = found
        now = datetime.now(UTC)
        if row.expires <= now:
            return None
        expires = row.expires
        set_cookies: list[str] = []
        if row.expires - timedelta(seconds=self.max_age - self.update_age) <= now:
            token_hash = row.session_token
            expires = self._expiry(token_hash, now, start=start)
            if expires <= row.expires:  # at the absolute limit: nothing left to roll
                return self._loaded(user, row.expires, [])
            updated = guarded(lambda: self.adapter.update_session(token_hash, expires))
            if updated is None:  # signed out meanwhile: never resurrect it
                return None
            lifetime = int((expires - now).total_seconds())
            set_cookies = session_cookie_headers(realm, raw, lifetime, cookies)
        return self._loaded(user, expires, set_cookies)

    def _loaded(
        self, user: User, expires: datetime, set_cookies: list[str]
    ) -> LoadedSession | None:
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
        row, now = hash_token(raw), datetime.now(UTC)
        expires = self._expiry(row, now, signing_in=True)
        if old and well_formed(old):
            guarded(lambda: self.adapter.delete_session(hash_token(old)))
        try:
            guarded(lambda: self.adapter.create_session(row, user_id, expires))
        except NotFoundError:
            raise AuthError("Configuration", detail="session user is not stored") from None
        kept = provider_session_of(token)
        if kept is not None and self.state is not None:
            value = json.dumps({"provider": kept.provider, "id_token": kept.id_token})
            state = self.state
            guarded(lambda: state.put_value(_PROVIDER_SESSION + hash_token(raw), value, expires))
        self._remember_idp_session(token, row, expires)
        lifetime = int((expires - now).total_seconds())
        return session_cookie_headers(realm, raw, lifetime, cookies)

    def _remember_idp_session(self, token: Claims, row: str, expires: datetime) -> None:
        """Note which identity-provider session (``sid``) *row* belongs to, for back-channel
        logout."""
        idp = token.get(IDP_CLAIM)
        if self.revocations is None or not isinstance(idp, Mapping):
            return
        provider, sid = idp.get("provider"), idp.get("sid")
        if isinstance(provider, str) and isinstance(sid, str) and sid:
            revocations = self.revocations
            guarded(lambda: revocations.remember_idp_row(provider, sid, row, expires))

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

    def revoke_user(self, user_id: str) -> None:
        """Delete every session row of *user_id*.

        :raises ConfigurationError: the adapter has no ``delete_sessions_of_user``.
        :raises StoreUnavailable: the database cannot be reached.
        """
        delete = getattr(self.adapter, "delete_sessions_of_user", None)
        if not callable(delete):
            raise ConfigurationError(
                f"{type(self.adapter).__name__} cannot end a user's sessions: "
                "it needs a delete_sessions_of_user(user_id) method"
            )
        guarded(lambda: delete(user_id))

    def revoke_idp_session(self, provider_id: str, sid: str) -> None:
        """Delete the rows signed in through identity-provider session *sid*."""
        if self.revocations is None:
            return
        revocations = self.revocations
        for row in guarded(lambda: revocations.idp_rows(provider_id, sid)):
            guarded(lambda row=row: self.adapter.delete_session(row))  # type: ignore[misc]
