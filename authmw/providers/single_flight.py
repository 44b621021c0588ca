"""One fetch at a time: callers that need the same document while it is being fetched wait for
that fetch instead of starting their own (R-6).

The lock guards only the bookkeeping (is a fetch in flight?); the fetch itself runs outside
it, so a slow identity provider holds up the callers that need its answer, for at most the
wait given, and nobody else.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger("authmw.providers")


class SingleFlight:
    """Runs at most one fetch at a time.

    :param wait: seconds a caller waits for a fetch another caller started (the fetch's own
        deadline; a caller that waits longer goes on with what is cached).
    """

    def __init__(self, *, wait: float) -> None:
        self.wait = wait
        self._lock = threading.Lock()
        self._in_flight: threading.Event | None = None

    def run(self, fetch: Callable[[], None], may_start: Callable[[], bool]) -> None:
        """Join the fetch in flight, or run *fetch* if none is and ``may_start()`` agrees.

        *fetch* records its outcome itself (in the cache that owns this object) and must not
        raise; *may_start* is asked under the lock, so two callers never both start one.
        """
        with self._lock:
            done = self._in_flight
            if done is None:
                if not may_start():
                    return
                done = self._in_flight = threading.Event()
                leader = True
            else:
                leader = False
        if not leader:
            if not done.wait(self.wait):
                log.warning("gave up waiting %g s for a fetch in flight", self.wait)
            return
        try:
            fetch()
        finally:
            with self._lock:
                self._in_flight = None
            done.set()
