"""Shared state: short-lived markers and counters that every worker and host must agree on.

The JWT revocation list, OAuth callback replay markers and throttle counters live here. With a
database adapter they live in its database (the SQL and Redis adapters both offer
``adapter.shared_state``), so all processes that share the database share them. Without one,
:class:`MemoryState` keeps them in this process only: each gunicorn worker then has its own list
and its own counters.

Keys are opaque strings chosen by the caller (``"revoked:<jti>"``, ``"throttle:..."``); expiry
is judged by the application's clock, as for every adapter record.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

__all__ = ["MemoryState", "SharedState", "state_for"]


@runtime_checkable
class SharedState(Protocol):
    """Markers (set once, until they expire), counters (a fixed window each) and values.

    Every method may raise :class:`~authmw.adapters.AdapterUnavailable` when the store is down.
    """

    def add_marker(self, key: str, expires: datetime) -> bool:
        """Keep *key* until *expires*; ``False`` when a live marker with that key existed
        (atomic: exactly one of many concurrent callers gets ``True``)."""
        ...

    def has_marker(self, key: str) -> bool:
        """Whether a live marker named *key* exists."""
        ...

    def increment(self, key: str, expires: datetime, amount: int = 1) -> tuple[int, datetime]:
        """Add *amount* to counter *key* and return ``(count, window end)``; a missing or
        expired counter starts again at *amount* with its window ending at *expires*."""
        ...

    def count(self, key: str) -> tuple[int, datetime | None]:
        """The live counter *key*: ``(count, window end)``, or ``(0, None)``."""
        ...

    def any_marker(self, keys: list[str]) -> bool:
        """Whether any of *keys* is a live marker, in one round trip (the per-request check)."""
        ...

    def put_value(self, key: str, value: str, expires: datetime) -> None:
        """Keep *value* under *key* until *expires*, replacing what was there."""
        ...

    def get_value(self, key: str) -> str | None:
        """The live value under *key*, or ``None``."""
        ...

    def clear(self, key: str) -> None:
        """Forget marker, counter or value *key*."""
        ...


def _epoch(moment: datetime) -> float:
    if moment.tzinfo is None:
        raise ValueError("naive datetime; pass a timezone-aware (UTC) datetime")
    return moment.timestamp()


class MemoryState:
    """In-process :class:`SharedState`: thread-safe, bounded to *limit* keys (the oldest go
    first when full)."""

    def __init__(self, limit: int = 100_000) -> None:
        self._entries: OrderedDict[str, tuple[int, float]] = OrderedDict()
        self._values: dict[str, str] = {}
        self._limit = limit
        self._lock = threading.Lock()
        self._families: set[str] = set()  # the part before ":" of every key ever written

    def ever_written(self, family: str) -> bool:
        """Whether a key starting ``family:`` was ever written here (a lock-free test that
        lets a per-request check skip the lookup while, say, nothing was ever revoked)."""
        return family in self._families

    def _live(self, key: str, now: float) -> tuple[int, float] | None:
        entry = self._entries.get(key)
        if entry is not None and entry[1] <= now:
            del self._entries[key]
            self._values.pop(key, None)
            return None
        return entry

    def _store(self, key: str, entry: tuple[int, float]) -> None:
        self._families.add(key.partition(":")[0])
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self._limit:
            self._values.pop(self._entries.popitem(last=False)[0], None)

    def add_marker(self, key: str, expires: datetime) -> bool:
        end = _epoch(expires)
        with self._lock:
            if self._live(key, time.time()) is not None:
                return False
            self._store(key, (1, end))
            return True

    def has_marker(self, key: str) -> bool:
        with self._lock:
            return self._live(key, time.time()) is not None

    def increment(self, key: str, expires: datetime, amount: int = 1) -> tuple[int, datetime]:
        end = _epoch(expires)
        with self._lock:
            entry = self._live(key, time.time())
            count, end = (entry[0] + amount, entry[1]) if entry else (amount, end)
            self._store(key, (count, end))
        return count, datetime.fromtimestamp(end, UTC)

    def any_marker(self, keys: list[str]) -> bool:
        now = time.time()
        with self._lock:
            return any(self._live(key, now) is not None for key in keys)

    def put_value(self, key: str, value: str, expires: datetime) -> None:
        end = _epoch(expires)
        with self._lock:
            self._store(key, (1, end))
            self._values[key] = value

    def get_value(self, key: str) -> str | None:
        with self._lock:
            return self._values.get(key) if self._live(key, time.time()) else None

    def count(self, key: str) -> tuple[int, datetime | None]:
        with self._lock:
            entry = self._live(key, time.time())
        if entry is None:
            return 0, None
        return entry[0], datetime.fromtimestamp(entry[1], UTC)

    def clear(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)
            self._values.pop(key, None)


def state_for(adapter: Any) -> tuple[SharedState, bool]:
    """The adapter's shared state when it offers one, else a new :class:`MemoryState`;
    the flag says whether the state is shared beyond this process."""
    shared = getattr(adapter, "shared_state", None)
    if isinstance(shared, SharedState):
        return shared, True
    return MemoryState(), False
