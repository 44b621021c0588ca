"""Local services for the test suite: PostgreSQL and Redis at their default local addresses.

Tests read ``AUTHMW_TEST_POSTGRES_URL`` and ``AUTHMW_TEST_REDIS_URL``. When one is unset and
the server answers at its default local address, that address is used, so ``make test`` on a
machine with both servers runs every test with no settings. When neither the variable nor the
server is there, those tests skip and one summary line says why (``AUTHMW_REQUIRE_SERVICES=1``,
as in CI, turns the skips into failures).
"""

from __future__ import annotations

import os
from typing import Any

import pytest

#: variable -> (service, URL tried when the variable is unset)
LOCAL_SERVICES = {
    "AUTHMW_TEST_POSTGRES_URL": ("PostgreSQL", "postgresql://postgres@127.0.0.1:5432/test"),
    "AUTHMW_TEST_REDIS_URL": ("Redis", "redis://127.0.0.1:6379/15"),
}
_MISSING = pytest.StashKey[list[str]]()


def _answers(url: str) -> bool:
    try:
        if url.startswith("redis"):
            import redis

            with redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1) as client:
                return bool(client.ping())
        import psycopg

        with psycopg.connect(url, connect_timeout=1):
            return True
    except Exception:
        return False


def pytest_configure(config: pytest.Config) -> None:
    missing: list[str] = []
    for variable, (service, default) in LOCAL_SERVICES.items():
        if os.environ.get(variable):
            continue
        if _answers(default):
            os.environ[variable] = default
        else:
            missing.append(f"{service} ({variable} is unset and {default} does not answer)")
    config.stash[_MISSING] = missing


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    missing = config.stash.get(_MISSING, [])
    if missing:
        terminalreporter.write_line(
            "service tests skipped: " + "; ".join(missing) + ". Set the variable or start it."
        )
