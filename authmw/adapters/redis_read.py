"""The database-session read of the Redis adapter: one Lua call, one round trip.

The session hash, its user's hash and (optionally) one shared-state value come back from a
single ``EVALSHA``; the user key is built inside the script from the session's ``user_id``
(keys of one user live in different hash slots anyway: Redis Cluster is not supported).
"""

from __future__ import annotations

from typing import Any

import redis

from .base import AdapterSession, User, now
from .redis_store import milliseconds, session_from, text, user_from

__all__ = ["SessionReader"]

_READ = """
local session = redis.call('HGETALL', KEYS[1])
if #session == 0 then return {session, {}, {}} end
local uid = redis.call('HGET', KEYS[1], 'user_id')
local user = {}
if uid then user = redis.call('HGETALL', ARGV[1] .. uid) end
local value = {}
if KEYS[2] then value = redis.call('HMGET', KEYS[2], 'value', 'end') end
return {session, user, value}
"""


def _pairs(flat: list[Any]) -> dict[str, str]:
    return {text(flat[i]): text(flat[i + 1]) for i in range(0, len(flat), 2)}


class SessionReader:
    """Runs the read on *client*; *user_prefix* + user id is a user's key."""

    def __init__(self, client: redis.Redis, user_prefix: str) -> None:
        self._script = client.register_script(_READ)
        self._user_prefix = user_prefix

    def __call__(
        self, session_key: str, state_key: str | None
    ) -> tuple[AdapterSession | None, User | None, str | None]:
        """(session, user, live state value), each ``None`` when absent."""
        keys = [session_key] if state_key is None else [session_key, state_key]
        session, user, found = self._script(keys=keys, args=[self._user_prefix])
        value = None
        if len(found) == 2 and None not in found and int(found[1]) > milliseconds(now()):
            value = text(found[0])
        return (
            session_from(_pairs(session)) if session else None,
            user_from(_pairs(user)) if user else None,
            value,
        )
