"""Fixtures for the many-workers tests: servers of the test's own, and the shared local ones.

``own_postgres`` and ``own_redis`` start once per module (``initdb`` takes seconds) and are
left running after each test, whatever it stopped; they skip, with the reason, when the
programs are not installed. ``shared_url`` is the local PostgreSQL or Redis every other suite
uses (``AUTHMW_TEST_POSTGRES_URL`` / ``AUTHMW_TEST_REDIS_URL``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from authmw.adapters.redis import RedisAdapter
from authmw.adapters.sql import SQLAdapter
from tests.scale.servers import OwnPostgres, OwnRedis, missing_binaries

SERVICE_ENV = {"postgres": "AUTHMW_TEST_POSTGRES_URL", "redis": "AUTHMW_TEST_REDIS_URL"}


def _own(kind: str) -> Iterator[Any]:
    why = missing_binaries(kind)
    if why:
        pytest.skip(f"cannot start an own {kind} server: {why}")
    server: Any = OwnPostgres() if kind == "postgres" else OwnRedis()
    try:
        server.start()
        yield server
    finally:
        server.remove()


@pytest.fixture(scope="module")
def own_postgres() -> Iterator[OwnPostgres]:
    yield from _own("postgres")


@pytest.fixture(scope="module")
def own_redis() -> Iterator[OwnRedis]:
    yield from _own("redis")


class Store:
    """Adapters of one kind over one database URL, each with its own table or key prefix
    unless given one (instances that share data pass the same *prefix*)."""

    def __init__(self, kind: str, url: str) -> None:
        self.kind = kind
        self.url = url
        self.prefix = f"s{uuid.uuid4().hex[:10]}_"
        self.made: list[Any] = []

    def adapter(self, **options: Any) -> Any:
        made: Any
        if self.kind == "postgres":
            made = SQLAdapter(self.url, table_prefix=self.prefix, create_tables=True, **options)
        else:
            made = RedisAdapter(self.url, prefix=f"authmw-scale:{self.prefix}:", **options)
        self.made.append(made)
        return made

    def empty(self) -> None:
        """Remove this store's tables or keys and close every adapter made."""
        if self.made:
            first = self.made[0]
            if self.kind == "postgres":
                first.drop_all()
            else:
                keys = list(first.client.scan_iter(match=f"{first.prefix}*", count=1000))
                if keys:
                    first.client.delete(*keys)
        for adapter in self.made:
            adapter.close()


@pytest.fixture(params=["postgres", "redis"])
def own_store(request: pytest.FixtureRequest) -> Iterator[tuple[Store, Any]]:
    """``(store, server)`` on a server of the test's own, running again after the test."""
    server = request.getfixturevalue(f"own_{request.param}")
    store = Store(request.param, server.url)
    yield store, server
    server.start()  # nothing to do when the test left it running
    store.empty()


@pytest.fixture(params=["postgres", "redis"])
def shared_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """A store on the local server every suite shares (skips without it)."""
    url = os.environ.get(SERVICE_ENV[request.param])
    if not url:
        pytest.skip(f"set {SERVICE_ENV[request.param]} to run the two-instance tests")
    store = Store(request.param, url)
    yield store
    store.empty()
