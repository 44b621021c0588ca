"""A `limits` storage over :class:`~authmw.state.SharedState`.

`limits` brings the configuration syntax and the fixed-window strategy; this class only lets
its counters live where authmw already keeps shared state (the SQL or Redis adapter's
database, else this process), so one more store is never needed.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from limits.storage import Storage

from ..state import SharedState

__all__ = ["SharedStateStorage"]

_PREFIX = "throttle:"


class SharedStateStorage(Storage):
    """Fixed-window counters (``incr``/``get``/``get_expiry``/``clear``) in *state*."""

    STORAGE_SCHEME = None

    def __init__(self, state: SharedState) -> None:
        super().__init__(wrap_exceptions=False)
        self.state = state

    @property
    def base_exceptions(self) -> type[Exception]:
        # Whatever the adapter raises when its database is down; the caller decides.
        return Exception

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        end = datetime.now(UTC) + timedelta(seconds=expiry)
        return self.state.increment(_PREFIX + key, end, amount)[0]

    def get(self, key: str) -> int:
        return self.state.count(_PREFIX + key)[0]

    def get_expiry(self, key: str) -> float:
        end = self.state.count(_PREFIX + key)[1]
        return end.timestamp() if end is not None else time.time()

    def clear(self, key: str) -> None:
        self.state.clear(_PREFIX + key)

    def check(self) -> bool:
        return True

    def reset(self) -> int | None:
        # SharedState has no "forget every throttle key"; windows end by themselves.
        return None
