"""Adapter factories for the contract suite: SQLite file, PostgreSQL and Redis.

PostgreSQL and Redis run against the servers named by ``AUTHMW_TEST_POSTGRES_URL`` and
``AUTHMW_TEST_REDIS_URL``; each test gets its own table prefix / key prefix and removes its
data afterwards. Without the variable the backend is skipped with the reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from authmw.adapters import Adapter
from authmw.adapters.redis import RedisAdapter
from authmw.adapters.sql import SQLAdapter

POSTGRES_ENV = "AUTHMW_TEST_POSTGRES_URL"
REDIS_ENV = "AUTHMW_TEST_REDIS_URL"
DEAD_POSTGRES = "postgresql://postgres@127.0.0.1:1/test"
DEAD_REDIS = "redis://127.0.0.1:1/0"


def env_url(name: str, what: str) -> str:
    url = os.environ.get(name)
    if not url:
        pytest.skip(f"set {name} to run the {what} adapter tests")
    return url


@pytest.fixture
def postgres_url() -> str:
    return env_url(POSTGRES_ENV, "PostgreSQL")


@pytest.fixture
def redis_url() -> str:
    return env_url(REDIS_ENV, "Redis")


@dataclass
class Backend:
    """How to build adapters of one kind: ``make`` a live one, or one whose database is ``down``."""

    name: str
    make: Callable[..., Any]
    down: Callable[[], Adapter]


def _sql_backend(name: str, url: str, dead: str) -> Iterator[Backend]:
    live: list[SQLAdapter] = []
    dead_ones: list[SQLAdapter] = []

    def make(**options: Any) -> SQLAdapter:
        prefix = f"t{uuid.uuid4().hex[:10]}_"
        adapter = SQLAdapter(url, table_prefix=prefix, create_tables=True, **options)
        live.append(adapter)
        return adapter

    def down() -> SQLAdapter:
        adapter = SQLAdapter(dead, timeout=1)
        dead_ones.append(adapter)
        return adapter

    yield Backend(name, make, down)
    for adapter in live:
        adapter.drop_all()
        adapter.close()
    for adapter in dead_ones:
        adapter.close()


def _redis_backend(url: str) -> Iterator[Backend]:
    live: list[RedisAdapter] = []
    dead_ones: list[RedisAdapter] = []

    def make(**options: Any) -> RedisAdapter:
        adapter = RedisAdapter(url, prefix=f"authmw-test:{uuid.uuid4().hex}:", **options)
        live.append(adapter)
        return adapter

    def down() -> RedisAdapter:
        adapter = RedisAdapter(DEAD_REDIS, timeout=1)
        dead_ones.append(adapter)
        return adapter

    yield Backend("redis", make, down)
    for adapter in live:
        keys = list(adapter.client.scan_iter(match=f"{adapter.prefix}*", count=1000))
        if keys:
            adapter.client.delete(*keys)
        adapter.close()
    for adapter in dead_ones:
        adapter.close()


BACKENDS = ["sqlite", "postgres", "redis"]


def backend_named(name: str, tmp_path: Path) -> Iterator[Backend]:
    """The backend called *name*, cleaned up when the generator closes."""
    if name == "sqlite":
        blocker = tmp_path / "not-a-directory"
        blocker.write_text("")
        dead = str(blocker / "auth.db")  # cannot be created, even as root
        yield from _sql_backend("sqlite", str(tmp_path / "auth.db"), dead)
    elif name == "postgres":
        url = env_url(POSTGRES_ENV, "PostgreSQL")
        yield from _sql_backend("postgres", url, DEAD_POSTGRES)
    else:
        yield from _redis_backend(env_url(REDIS_ENV, "Redis"))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    yield from backend_named(request.param, tmp_path)


@pytest.fixture
def adapter(backend: Backend) -> Adapter:
    made: Adapter = backend.make()
    return made
