"""Settings read from the environment, with NextAuth's names as fallbacks.

A Next.js project's ``.env`` works as it is: ``AUTHMW_SECRET`` is read first, then Auth.js v5's
``AUTH_SECRET``, then NextAuth v4's ``NEXTAUTH_SECRET``; likewise for the URL, and
``AUTHMW_<ID>_ID`` before Auth.js's ``AUTH_<ID>_ID`` for a provider preset.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

__all__ = [
    "SECRET_VARIABLES",
    "TRUST_HOST_VARIABLES",
    "URL_VARIABLES",
    "first_set",
    "preset_variables",
]

SECRET_VARIABLES = ("AUTHMW_SECRET", "AUTH_SECRET", "NEXTAUTH_SECRET")
URL_VARIABLES = ("AUTHMW_URL", "AUTH_URL", "NEXTAUTH_URL")
TRUST_HOST_VARIABLES = ("AUTHMW_TRUST_HOST", "AUTH_TRUST_HOST")


def first_set(
    names: tuple[str, ...], environ: Mapping[str, str] | None = None
) -> tuple[str, str] | None:
    """``(name, value)`` of the first of *names* set to a non-blank value, else ``None``."""
    env = os.environ if environ is None else environ
    for name in names:
        value = env.get(name, "").strip()
        if value:
            return name, value
    return None


def preset_variables(preset_id: str, suffix: str) -> tuple[str, ...]:
    """``("AUTHMW_GITHUB_ID", "AUTH_GITHUB_ID")`` for ``("github", "ID")``."""
    stem = preset_id.upper().replace("-", "_")
    return (f"AUTHMW_{stem}_{suffix}", f"AUTH_{stem}_{suffix}")
