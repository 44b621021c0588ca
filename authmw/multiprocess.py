"""One warning per process when several worker processes serve the app with no shared store.

gunicorn (with more than one worker), uWSGI and mod_wsgi say so in every request's environ:
``wsgi.multiprocess`` is true. Without a store (:mod:`authmw.state`), the revocation list,
throttle counters and OAuth callback replay markers live in each process, so every worker
keeps its own. The check runs on each process's first request, because a server forks its
workers after the app is built (gunicorn ``--preload``) and only the environ tells.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable

from ._types import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["IN_PROCESS_WARNING", "InProcessStateWarning"]

log = logging.getLogger("authmw.state")

IN_PROCESS_WARNING = (
    "several worker processes serve this app (wsgi.multiprocess) but authmw has no shared "
    "store: the JWT revocation list, throttle counters and OAuth callback replay markers live "
    "in each process, so each worker keeps its own. Pass adapter=SQLAdapter(url) or "
    "RedisAdapter(url) to keep them in your database, where every worker and host sees them."
)


class InProcessStateWarning:
    """Passes every request to *app*; logs :data:`IN_PROCESS_WARNING` once in each process
    whose first request says ``wsgi.multiprocess``."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app
        self._checked_in = 0  # the pid that made the check; a forked worker has another
        self._lock = threading.Lock()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if self._checked_in != os.getpid():
            self._check(environ)
        return self.app(environ, start_response)

    def _check(self, environ: WSGIEnvironment) -> None:
        with self._lock:
            pid = os.getpid()
            if self._checked_in == pid:  # another thread of this process was first
                return
            self._checked_in = pid
        if environ.get("wsgi.multiprocess"):
            log.warning(IN_PROCESS_WARNING)
