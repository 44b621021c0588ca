"""Housekeeping that runs at most once per interval in each process, on no schedule of its own."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from ..errors import ConfigurationError

__all__ = ["AtMostEvery"]


class AtMostEvery:
    """:meth:`due` answers ``True`` on the first call and then at most once per *seconds*.

    :param seconds: the interval; ``None`` means never.
    :param clock: a monotonic clock (tests pass their own).
    :raises ConfigurationError: a negative interval.
    """

    def __init__(
        self, seconds: float | None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if seconds is not None and (isinstance(seconds, bool) or seconds < 0):
            raise ConfigurationError("the interval must be zero or more seconds, or None")
        self.seconds = seconds
        self._clock = clock
        self._last: float | None = None
        self._lock = threading.Lock()

    def due(self) -> bool:
        """Whether the work is due now; a ``True`` answer counts as having done it."""
        if self.seconds is None:
            return False
        with self._lock:
            moment = self._clock()
            if self._last is not None and moment - self._last < self.seconds:
                return False
            self._last = moment
            return True
