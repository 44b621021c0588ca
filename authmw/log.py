"""Loggers and redaction: secrets, tokens and cookie values never reach a log line.

Every module logs under the ``authmw`` logger (``authmw.session``, ``authmw.dispatch``, ...).
``Auth(logger=...)`` forwards those records to the given logger as well, and
``Auth(debug=True)`` turns on one debug line per flow step (paths and queries redacted).
"""

from __future__ import annotations

import logging
import re

logger = logging.getLogger("authmw")

_SECRETISH = re.compile(
    r"(?i)(password|secret|token|code|verifier|cookie|authorization|state|nonce)=([^&\s;]+)"
)


def redact(text: str) -> str:
    """Mask values of ``key=value`` pairs whose key looks secret."""
    return _SECRETISH.sub(lambda m: f"{m.group(1)}=[redacted]", text)


class _Forwarder(logging.Handler):
    """Hands ``authmw`` records to other loggers' handlers (not to shared ancestors, which
    get them through ``authmw``'s own propagation)."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.targets: list[logging.Logger] = []

    def emit(self, record: logging.LogRecord) -> None:
        shared = _ancestors(logger)
        for target in self.targets:
            current: logging.Logger | None = target
            while current is not None and current not in shared:
                for handler in current.handlers:
                    if record.levelno >= handler.level:
                        handler.handle(record)
                if not current.propagate:
                    break
                current = current.parent


def _ancestors(start: logging.Logger) -> set[logging.Logger]:
    found: set[logging.Logger] = set()
    current: logging.Logger | None = start
    while current is not None:
        found.add(current)
        current = current.parent
    return found


_forwarder = _Forwarder()


def configure(target: logging.Logger | None, *, debug: bool) -> logging.Logger:
    """Route authmw's records to *target* and set the level for *debug*; the logger to use.

    Called by :class:`~authmw.Auth` at construction. *target* ``None`` (or the ``authmw``
    logger itself) keeps the standard ``logging`` propagation only.
    """
    if debug:
        logger.setLevel(logging.DEBUG)
    if target is None or target is logger:
        return logger
    if target not in _forwarder.targets:
        _forwarder.targets.append(target)
    if _forwarder not in logger.handlers:
        logger.addHandler(_forwarder)
    return target
