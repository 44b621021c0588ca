"""Redis adapter on redis-py.

Keys (``{p}`` is ``prefix``, default ``authmw:``; a two-part key writes the first part as
``{len}:{part}`` so ``("a:b", "c")`` and ``("a", "b:c")`` never collide)::

    {p}user:{id}                   hash: id, name, email, email_verified, image
    {p}email:{email}               string: user id (unique e-mail index)
    {p}account:{provider}:{id}     hash: the Account fields (unique account index)
    {p}user_accounts:{user id}     set: account keys of the user
    {p}session:{token}             hash: user_id, expires; PEXPIREAT expires
    {p}user_sessions:{user id}     sorted set: session tokens scored by expiry (ms)
    {p}vt:{identifier}:{token}     string: expires; PEXPIREAT expires
    {p}state:{key}                 hash: count, end (ms); the shared state (redis_state.py)

Multi-key writes run as optimistic transactions (``WATCH``/``MULTI``), so unique e-mails and
accounts hold under concurrency and ``delete_user`` removes every index. A verification token's
key holds both identifier and token (A-NA7) and is consumed with ``GETDEL`` (atomic, Redis >=
6.2). Expiry is judged by the application clock; the TTLs only reclaim memory. Keys of one user
live in different hash slots, so Redis Cluster is not supported.
"""

from __future__ import annotations

import dataclasses
import functools
import uuid
from datetime import datetime
from typing import Any

from ..errors import missing_extra

try:
    import redis  # noqa: F401 - fail early, naming the extra to install
except ModuleNotFoundError as error:  # pragma: no cover - tested in a subprocess
    raise missing_extra(error, "redis") from error
from redis.client import Pipeline

from .base import (
    Account,
    AdapterSession,
    DuplicateError,
    NewUser,
    NotFoundError,
    User,
    VerificationToken,
    now,
    utc,
)
from .redis_read import SessionReader
from .redis_state import RedisSharedState
from .redis_store import RedisConnection
from .redis_store import encode as _encode
from .redis_store import hash_fields as _hash
from .redis_store import milliseconds as _ms
from .redis_store import session_from as _session_from
from .redis_store import text as _text
from .redis_store import user_from as _user
from .storable import check_storable, check_user_changes, lookup

__all__ = ["RedisAdapter"]


class RedisAdapter(RedisConnection):
    """Adapter storing everything in Redis (parameters: see :class:`RedisConnection`)."""

    @functools.cached_property
    def shared_state(self) -> RedisSharedState:
        """Revocation list, replay markers and throttle counters (:mod:`authmw.state`)."""
        return RedisSharedState(self.client, lambda key: self._key("state", key), self._errors)

    # Users

    def create_user(self, user: NewUser) -> User:
        check_storable(user)
        verified = utc(user.email_verified) if user.email_verified else None
        new = User(user.id or uuid.uuid4().hex, user.name, user.email, verified, user.image)
        user_key = self._key("user", new.id)
        email_key = self._key("email", new.email) if new.email is not None else None

        def tx(pipe: Pipeline) -> User:
            if pipe.exists(user_key):
                raise DuplicateError("a user with this id already exists")
            if email_key is not None and pipe.exists(email_key):
                raise DuplicateError("a user with this e-mail already exists")
            pipe.multi()
            if email_key is not None:
                pipe.set(email_key, new.id)
            pipe.hset(user_key, mapping=_encode(new))
            return new

        watched = (user_key,) if email_key is None else (user_key, email_key)
        return self._transaction(tx, *watched)

    @lookup
    def get_user(self, id: str) -> User | None:
        with self._errors():
            data = _hash(self.client.hgetall(self._key("user", id)))
        return _user(data) if data else None

    @lookup
    def get_user_by_email(self, email: str) -> User | None:
        with self._errors():
            user_id = self.client.get(self._key("email", email))
        return self.get_user(_text(user_id)) if user_id is not None else None

    @lookup
    def get_user_by_account(self, provider: str, provider_account_id: str) -> User | None:
        with self._errors():
            user_id = self.client.hget(
                self._key("account", provider, provider_account_id), "user_id"
            )
        return self.get_user(_text(user_id)) if user_id is not None else None

    def update_user(self, id: str, **changes: Any) -> User:
        changes = check_user_changes(changes)
        user_key = self._key("user", id)
        email = changes.get("email")
        watch = [user_key, *([self._key("email", email)] if email else [])]

        def tx(pipe: Pipeline) -> User:
            data = _hash(pipe.hgetall(user_key))
            if not data:
                raise NotFoundError("no such user")
            old = _user(data)
            new = dataclasses.replace(old, **changes)
            moved = new.email != old.email
            if moved and new.email and pipe.exists(self._key("email", new.email)):
                raise DuplicateError("a user with this e-mail already exists")
            pipe.multi()
            if moved and old.email:
                pipe.delete(self._key("email", old.email))
            if moved and new.email:
                pipe.set(self._key("email", new.email), id)
            pipe.delete(user_key)
            pipe.hset(user_key, mapping=_encode(new))
            return new

        return self._transaction(tx, *watch)

    @lookup
    def delete_user(self, id: str) -> None:
        user_key = self._key("user", id)
        accounts_key = self._key("user_accounts", id)
        sessions_key = self._key("user_sessions", id)

        def tx(pipe: Pipeline) -> None:
            email = pipe.hget(user_key, "email")
            doomed = [_text(key) for key in pipe.smembers(accounts_key)]
            doomed += [self._key("session", _text(t)) for t in pipe.zrange(sessions_key, 0, -1)]
            if email is not None:
                doomed.append(self._key("email", _text(email)))
            pipe.multi()
            pipe.delete(user_key, accounts_key, sessions_key, *doomed)

        self._transaction(tx, user_key, accounts_key, sessions_key)

    # Accounts

    def link_account(self, account: Account) -> Account:
        check_storable(account)
        user_key = self._key("user", account.user_id)
        key = self._key("account", account.provider, account.provider_account_id)

        def tx(pipe: Pipeline) -> Account:
            if not pipe.exists(user_key):
                raise NotFoundError("no such user")
            if pipe.exists(key):
                raise DuplicateError("this provider account is already linked")
            pipe.multi()
            pipe.hset(key, mapping=_encode(account))
            pipe.sadd(self._key("user_accounts", account.user_id), key)
            return account

        return self._transaction(tx, user_key, key)

    @lookup
    def unlink_account(self, provider: str, provider_account_id: str) -> None:
        key = self._key("account", provider, provider_account_id)

        def tx(pipe: Pipeline) -> None:
            user_id = pipe.hget(key, "user_id")
            pipe.multi()
            pipe.delete(key)
            if user_id is not None:
                pipe.srem(self._key("user_accounts", _text(user_id)), key)

        self._transaction(tx, key)

    # Sessions

    def create_session(self, session_token: str, user_id: str, expires: datetime) -> AdapterSession:
        check_storable(session_token, user_id)
        session = AdapterSession(session_token, user_id, utc(expires))
        user_key = self._key("user", user_id)
        key = self._key("session", session_token)
        index = self._key("user_sessions", user_id)

        def tx(pipe: Pipeline) -> AdapterSession:
            if not pipe.exists(user_key):
                raise NotFoundError("no such user")
            if pipe.exists(key):
                raise DuplicateError("this session already exists")
            pipe.multi()
            pipe.hset(key, mapping=_encode(session))
            pipe.pexpireat(key, _ms(session.expires))
            pipe.zadd(index, {session_token: _ms(session.expires)})
            pipe.zremrangebyscore(index, "-inf", _ms(now()))  # forget expired sessions
            return session

        return self._transaction(tx, user_key, key)

    @lookup
    def load_session(
        self, session_token: str, state_key: str | None = None
    ) -> tuple[AdapterSession, User, str | None] | None:
        """The live session, its user and live shared-state value *state_key*: one round trip."""
        state = None if state_key is None else self._key("state", state_key)
        with self._errors():
            session, user, value = self._reader(self._key("session", session_token), state)
        if session is not None and session.expires <= now():
            self._delete_session(session_token, only_expired=True)
            return None
        return (session, user, value) if session and user else None

    @functools.cached_property
    def _reader(self) -> SessionReader:
        return SessionReader(self.client, self._key("user", ""))

    @lookup
    def update_session(self, session_token: str, expires: datetime) -> AdapterSession | None:
        key = self._key("session", session_token)
        expires = utc(expires)

        def tx(pipe: Pipeline) -> AdapterSession | None:
            data = _hash(pipe.hgetall(key))
            if not data:  # deleted (signed out): never resurrect it
                return None
            session = dataclasses.replace(_session_from(data), expires=expires)
            pipe.multi()
            pipe.hset(key, "expires", expires.isoformat())
            pipe.pexpireat(key, _ms(expires))
            pipe.zadd(self._key("user_sessions", session.user_id), {session_token: _ms(expires)})
            return session

        return self._transaction(tx, key)

    def _delete_session(self, session_token: str, *, only_expired: bool = False) -> None:
        key = self._key("session", session_token)

        def tx(pipe: Pipeline) -> None:
            data = _hash(pipe.hgetall(key))
            if only_expired and data and _session_from(data).expires > now():
                return  # renewed meanwhile
            pipe.multi()
            pipe.delete(key)
            if data:
                pipe.zrem(self._key("user_sessions", data["user_id"]), session_token)

        self._transaction(tx, key)

    @lookup
    def delete_session(self, session_token: str) -> None:
        self._delete_session(session_token)

    @lookup
    def delete_sessions_of_user(self, user_id: str) -> None:
        index = self._key("user_sessions", user_id)

        def tx(pipe: Pipeline) -> None:
            doomed = [self._key("session", _text(t)) for t in pipe.zrange(index, 0, -1)]
            pipe.multi()
            pipe.delete(index, *doomed)

        self._transaction(tx, index)

    # Verification tokens

    def create_verification_token(self, token: VerificationToken) -> VerificationToken:
        check_storable(token)
        token = dataclasses.replace(token, expires=utc(token.expires))
        key = self._key("vt", token.identifier, token.token)
        with self._errors():
            created = self.client.set(
                key, token.expires.isoformat(), nx=True, pxat=max(1, _ms(token.expires))
            )
        if not created:
            raise DuplicateError("this verification token already exists")
        return token

    @lookup
    def use_verification_token(self, identifier: str, token: str) -> VerificationToken | None:
        with self._errors():
            raw = self.client.getdel(self._key("vt", identifier, token))
        if raw is None:
            return None
        used = VerificationToken(identifier, token, datetime.fromisoformat(_text(raw)))
        return used if used.expires > now() else None
