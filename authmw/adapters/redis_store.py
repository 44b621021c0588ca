"""The Redis adapter's connection (errors, transactions, keys) and its record encoding."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

import redis
from redis.backoff import ExponentialBackoff
from redis.client import Pipeline
from redis.retry import Retry

from ..errors import ConfigurationError
from .base import AdapterError, AdapterSession, AdapterUnavailable, User, driver_cause

T = TypeVar("T")
_UNAVAILABLE = (redis.ConnectionError, redis.TimeoutError, redis.ReadOnlyError)


def text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def hash_fields(raw: Any) -> dict[str, str]:
    return {text(k): text(v) for k, v in raw.items()}


def milliseconds(moment: datetime) -> int:
    return math.ceil(moment.timestamp() * 1000)


def encode(record: Any) -> dict[Any, str]:
    """Dataclass fields that are set, as strings (``None`` fields are left out)."""
    out: dict[Any, str] = {}
    for key, value in dataclasses.asdict(record).items():
        if value is not None:
            out[key] = value.isoformat() if isinstance(value, datetime) else str(value)
    return out


def session_from(data: dict[str, str]) -> AdapterSession:
    expires = datetime.fromisoformat(data["expires"])
    return AdapterSession(data["session_token"], data["user_id"], expires)


def user_from(data: dict[str, str]) -> User:
    verified = data.get("email_verified")
    return User(
        id=data["id"],
        name=data.get("name"),
        email=data.get("email"),
        email_verified=datetime.fromisoformat(verified) if verified else None,
        image=data.get("image"),
    )


def _client(url: str, timeout: float, max_connections: int | None) -> redis.Redis:
    options: dict[str, Any] = {
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
        "health_check_interval": 30,
        # One quick retry rides over a restarted server or a killed connection.
        "retry": Retry(ExponentialBackoff(cap=0.2, base=0.05), 1),
        "decode_responses": True,
    }
    if max_connections is None:
        return redis.Redis.from_url(url, **options)
    if not isinstance(max_connections, int) or max_connections < 1:
        raise ConfigurationError("max_connections must be a positive whole number")
    pool = redis.BlockingConnectionPool.from_url(
        url, max_connections=max_connections, timeout=timeout, **options
    )
    return redis.Redis.from_pool(pool)


class RedisConnection:
    """A Redis client with authmw's error mapping, transactions and key layout.

    :param url_or_client: a ``redis://`` URL, or a :class:`redis.Redis` you own.
    :param prefix: prepended to every key.
    :param timeout: connect and command timeout in seconds (URL only); past it the call
        raises :class:`~authmw.adapters.AdapterUnavailable`.
    :param max_connections: URL only: at most this many connections in this process; a call
        waits up to *timeout* for a free one. ``None``: redis-py's unbounded pool.

    redis-py's pool notices a fork and starts afresh in the child (gunicorn ``--preload``).
    """

    def __init__(
        self,
        url_or_client: str | redis.Redis,
        *,
        prefix: str = "authmw:",
        timeout: float = 5.0,
        max_connections: int | None = None,
    ) -> None:
        self._owns_client = isinstance(url_or_client, str)
        if isinstance(url_or_client, str):
            url_or_client = _client(url_or_client, timeout, max_connections)
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

    def load_session(
        self, session_token: str, state_key: str | None = None
    ) -> tuple[AdapterSession, User, str | None] | None:
        raise NotImplementedError  # the adapter's: one round trip (redis_read.py)

    def get_session_and_user(self, session_token: str) -> tuple[AdapterSession, User] | None:
        found = self.load_session(session_token)
        return None if found is None else found[:2]

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
