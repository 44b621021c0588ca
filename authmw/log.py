"""Loggers and redaction: secrets, tokens and cookie values never reach a log line."""

from __future__ import annotations

import logging
import re

logger = logging.getLogger("authmw")

_SECRETISH = re.compile(
    r"(?i)(password|secret|token|code|verifier|cookie|authorization)=([^&\s;]+)"
)


def redact(text: str) -> str:
    """Mask values of ``key=value`` pairs whose key looks secret."""
    return _SECRETISH.sub(lambda m: f"{m.group(1)}=[redacted]", text)
