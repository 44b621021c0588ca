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

Multi-key writes run as optimistic transactions (``WATCH``/``MULTI``), so unique e-mails and
accounts hold under concurrency and ``delete_user`` removes every index. A verification token's
key holds both identifier and token (A-NA7) and is consumed with ``GETDEL`` (atomic, Redis >=
6.2). Expiry is judged by the application clock; the TTLs only reclaim memory. Keys of one user
live in different hash slots, so Redis Cluster is not supported.
"""

from __future__ import annotations

import dataclasses
import math
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

from ..errors import missing_extra

try:
    import redis
except ModuleNotFoundError as error:  # pragma: no cover - tested in a subprocess
    raise missing_extra(error, "redis") from error
from redis.backoff import ExponentialBackoff
from redis.client import Pipeline
from redis.retry import Retry

from .base import (
    Account,
    AdapterError,
    AdapterSession,
    AdapterUnavailable,
    DuplicateError,
    NewUser,
    NotFoundError,
    User,
    VerificationToken,
    check_storable,
    check_user_changes,
    driver_cause,
    lookup,
    now,
    utc,
)

__all__ = ["RedisAdapter"]

T = TypeVar("T")
_UNAVAILABLE = (redis.ConnectionError, redis.TimeoutError, redis.ReadOnlyError)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _hash(raw: Any) -> dict[str, str]:
    return {_text(k): _text(v) for k, v in raw.items()}


def _ms(moment: datetime) -> int:
    return math.ceil(moment.timestamp() * 1000)


def _encode(record: Any) -> dict[Any, str]:
    """Dataclass fields that are set, as strings (``None`` fields are left out)."""
    out: dict[Any, str] = {}
    for key, value in dataclasses.asdict(record).items():
        if value is not None:
            out[key] = value.isoformat() if isinstance(value, datetime) else str(value)
    return out


def _user(data: dict[str, str]) -> User:
    verified = data.get("email_verified")
    return User(
        id=data["id"],
        name=data.get("name"),
        email=data.get("email"),
        email_verified=datetime.fromisoformat(verified) if verified else None,
        image=data.get("image"),
    )


class RedisAdapter:
    """Adapter storing everything in Redis.

    :param url_or_client: a ``redis://`` URL, or a :class:`redis.Redis` you own.
    :param prefix: prepended to every key.
    :param timeout: connect and command timeout in seconds (URL only); past it the call
        raises :class:`AdapterUnavailable`.
    """

    def __init__(
        self, url_or_client: str | redis.Redis, *, prefix: str = "authmw:", timeout: float = 5.0
    ) -> None:
        self._owns_client = isinstance(url_or_client, str)
        if isinstance(url_or_client, str):
            url_or_client = redis.Redis.from_url(
                url_or_client,
                socket_timeout=timeout,
                socket_connect_timeout=timeout,
                health_check_interval=30,
                # One quick retry rides over a restarted server or a killed connection.
                retry=Retry(ExponentialBackoff(cap=0.2, base=0.05), 1),
                decode_responses=True,
            )
        self.client = url_or_client
        self.prefix = prefix

    def __repr__(self) -> str:
        kwargs = self.client.connection_pool.connection_kwargs
        where = kwargs.get("path") or f"{kwargs.get('host', '?')}:{kwargs.get('port', '?')}"
        return f"RedisAdapter({where!r}, db={kwargs.get('db', 0)}, prefix={self.prefix!r})"

    def ping(self) -> None:
        """One round trip, leaving no connection in the pool (safe before a fork: gunicorn
        ``--preload``). :raises AdapterUnavailable: Redis does not answer."""
        try:
            with self._errors():
                self.client.ping()
        finally:
            self.client.connection_pool.disconnect()

    def close(self) -> None:
        """Close the connection pool if the adapter created the client."""
        if self._owns_client:
            self.client.close()

    def _key(self, kind: str, first: str, second: str | None = None) -> str:
        tail = first if second is None else f"{len(first)}:{first}:{second}"
        return f"{self.prefix}{kind}:{tail}"

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except _UNAVAILABLE as error:
            cause = f"{type(error).__name__}: {driver_cause(error)}"
            raise AdapterUnavailable(f"redis unavailable ({cause})") from None
        except redis.RedisError as error:
            raise AdapterError(f"redis error ({type(error).__name__})") from None

    def _transaction(self, func: Callable[[Pipeline], T], *watch: str) -> T:
        """Run *func* in ``WATCH``/``MULTI``; redis-py re-runs it when a watched key changed."""
        results: list[T] = []

        def run(pipe: Pipeline) -> None:
            results[:] = [func(pipe)]

        with self._errors():
            self.client.transaction(run, *watch)
        return results[0]

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

    def _session(self, data: dict[str, str]) -> AdapterSession:
        expires = datetime.fromisoformat(data["expires"])
        return AdapterSession(data["session_token"], data["user_id"], expires)

    @lookup
    def get_session_and_user(self, session_token: str) -> tuple[AdapterSession, User] | None:
        key = self._key("session", session_token)
        with self._errors():
            data = _hash(self.client.hgetall(key))
        if not data:
            return None
        session = self._session(data)
        if session.expires <= now():
            self._delete_session(session_token, only_expired=True)
            return None
        user = self.get_user(session.user_id)
        return (session, user) if user else None

    @lookup
    def update_session(self, session_token: str, expires: datetime) -> AdapterSession | None:
        key = self._key("session", session_token)
        expires = utc(expires)

        def tx(pipe: Pipeline) -> AdapterSession | None:
            data = _hash(pipe.hgetall(key))
            if not data:  # deleted (signed out): never resurrect it
                return None
            session = dataclasses.replace(self._session(data), expires=expires)
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
            if only_expired and data and self._session(data).expires > now():
                return  # renewed meanwhile
            pipe.multi()
            pipe.delete(key)
            if data:
                pipe.zrem(self._key("user_sessions", data["user_id"]), session_token)

        self._transaction(tx, key)

    @lookup
    def delete_session(self, session_token: str) -> None:
        self._delete_session(session_token)

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
