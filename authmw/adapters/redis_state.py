"""The Redis adapter's shared state (:class:`~authmw.state.SharedState`).

A marker, counter or value is one hash ``{prefix}state:{key}`` with ``count``, ``end`` (the window's
end in milliseconds, judged by the application clock; ``PEXPIREAT`` only reclaims memory) and
``value``. One
Lua script makes every increment atomic, so a marker is added by exactly one of many concurrent
callers and no count is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime

import redis

from .base import now
from .redis_store import milliseconds

__all__ = ["RedisSharedState"]

# KEYS[1] the hash; ARGV: amount, window end (ms) for a new window, now (ms).
_INCREMENT = """
local found = redis.call('HMGET', KEYS[1], 'count', 'end')
if not found[1] or tonumber(found[2]) <= tonumber(ARGV[3]) then
  redis.call('HSET', KEYS[1], 'count', ARGV[1], 'end', ARGV[2])
  redis.call('PEXPIREAT', KEYS[1], ARGV[2])
  return {tonumber(ARGV[1]), tonumber(ARGV[2])}
end
return {redis.call('HINCRBY', KEYS[1], 'count', ARGV[1]), tonumber(found[2])}
"""


def _moment(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


class RedisSharedState:
    """Markers and fixed-window counters as Redis hashes.

    :param client: the adapter's client; *key* maps a state key to a Redis key; *errors* maps
        driver errors to adapter errors.
    """

    def __init__(
        self,
        client: redis.Redis,
        key: Callable[[str], str],
        errors: Callable[[], AbstractContextManager[None]],
    ) -> None:
        self._client = client
        self._key = key
        self._errors = errors
        self._increment = client.register_script(_INCREMENT)

    def increment(self, key: str, expires: datetime, amount: int = 1) -> tuple[int, datetime]:
        with self._errors():
            count, end = self._increment(
                keys=[self._key(key)], args=[amount, milliseconds(expires), milliseconds(now())]
            )
        return int(count), _moment(int(end))

    def add_marker(self, key: str, expires: datetime) -> bool:
        return self.increment(key, expires)[0] == 1

    def count(self, key: str) -> tuple[int, datetime | None]:
        with self._errors():
            count, end = self._client.hmget(self._key(key), ["count", "end"])
        if count is None or end is None or int(end) <= milliseconds(now()):
            return 0, None
        return int(count), _moment(int(end))

    def has_marker(self, key: str) -> bool:
        return self.count(key)[0] > 0

    def any_marker(self, keys: list[str]) -> bool:
        if not keys:
            return False
        with self._errors():
            pipe = self._client.pipeline(transaction=False)
            for key in keys:
                pipe.hget(self._key(key), "end")
            ends = pipe.execute()
        moment = milliseconds(now())
        return any(end is not None and int(end) > moment for end in ends)

    def put_value(self, key: str, value: str, expires: datetime) -> None:
        end = milliseconds(expires)
        with self._errors():
            pipe = self._client.pipeline(transaction=True)
            pipe.delete(self._key(key))
            pipe.hset(self._key(key), mapping={"count": 1, "end": end, "value": value})
            pipe.pexpireat(self._key(key), end)
            pipe.execute()

    def get_value(self, key: str) -> str | None:
        with self._errors():
            value, end = self._client.hmget(self._key(key), ["value", "end"])
        if value is None or end is None or int(end) <= milliseconds(now()):
            return None
        return str(value)

    def clear(self, key: str) -> None:
        with self._errors():
            self._client.delete(self._key(key))
