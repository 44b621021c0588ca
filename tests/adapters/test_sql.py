"""SQLAdapter specifics: URLs, SQLite pragmas, schema, timeouts and pool recovery."""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from authmw.adapters import (
    Account,
    AdapterError,
    AdapterUnavailable,
    NewUser,
    VerificationToken,
)
from authmw.adapters.sql import SQLAdapter


@pytest.fixture
def sqlite_adapter(tmp_path: Path) -> Iterator[SQLAdapter]:
    adapter = SQLAdapter(tmp_path / "auth.db", create_tables=True)
    yield adapter
    adapter.close()


@pytest.fixture
def pg_adapter(postgres_url: str) -> Iterator[SQLAdapter]:
    name = f"authmw-test-{uuid.uuid4().hex[:8]}"
    adapter = SQLAdapter(
        postgres_url,
        table_prefix=f"t{uuid.uuid4().hex[:10]}_",
        create_tables=True,
        # Another session time zone must not shift the datetimes we read back.
        engine_options={
            "connect_args": {"application_name": name, "options": "-c TimeZone=Asia/Tokyo"}
        },
    )
    yield adapter
    adapter.drop_all()
    adapter.close()


def in_an_hour() -> datetime:
    return datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)


@pytest.mark.parametrize(
    ("target", "driver"),
    [
        ("postgresql://u:pw@127.0.0.1:1/db", "psycopg"),
        ("postgres://u:pw@127.0.0.1:1/db", "psycopg"),
        ("postgresql+psycopg://u@127.0.0.1:1/db", "psycopg"),
        ("sqlite:///{tmp}/a.db", "pysqlite"),
        ("{tmp}/plain.db", "pysqlite"),
    ],
)
def test_url_forms(tmp_path: Path, target: str, driver: str) -> None:
    adapter = SQLAdapter(target.format(tmp=tmp_path))
    try:
        assert adapter.engine.dialect.driver == driver
        pool = adapter.engine.pool
        if driver == "psycopg":  # a dropped connection is noticed at checkout and replaced
            assert pool.dispatch.checkout  # type: ignore[attr-defined]
        else:  # a file does not drop connections: no ping per checkout
            assert not pool._pre_ping  # type: ignore[attr-defined]
        assert "pw" not in repr(adapter)
    finally:
        adapter.close()


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(
    sqlite_adapter: SQLAdapter,
) -> None:
    with sqlite_adapter.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_table_prefix_and_create_all_is_idempotent(tmp_path: Path) -> None:
    adapter = SQLAdapter(f"sqlite:///{tmp_path}/p.db", table_prefix="my_")
    adapter.create_all()
    adapter.create_all()
    names = set(sa.inspect(adapter.engine).get_table_names())
    assert names == {
        "my_users",
        "my_accounts",
        "my_sessions",
        "my_verification_tokens",
        "my_shared_state",
    }
    adapter.close()


def test_schema_cascades_in_the_database(sqlite_adapter: SQLAdapter) -> None:
    user = sqlite_adapter.create_user(NewUser(email="a@x.test"))
    sqlite_adapter.link_account(Account(user.id, "oauth", "github", "1"))
    sqlite_adapter.create_session("hash-1", user.id, in_an_hour())
    with sqlite_adapter.engine.begin() as conn:  # bypass the adapter's explicit deletes
        conn.execute(sqlite_adapter.users.delete())
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(sqlite_adapter.accounts)).scalar()
            == 0
        )
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(sqlite_adapter.sessions)).scalar()
            == 0
        )


def test_given_engine_is_not_disposed(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path}/e.db")
    adapter = SQLAdapter(engine, create_tables=True)
    adapter.create_user(NewUser(email="a@x.test"))
    adapter.close()
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(adapter.users)).scalar() == 1
    engine.dispose()


def test_purge_expired(sqlite_adapter: SQLAdapter) -> None:
    user = sqlite_adapter.create_user(NewUser())
    past = datetime.now(UTC) - timedelta(seconds=1)
    sqlite_adapter.create_session("old", user.id, past)
    sqlite_adapter.create_session("live", user.id, in_an_hour())
    sqlite_adapter.create_verification_token(VerificationToken("a@x.test", "old", past))
    assert sqlite_adapter.purge_expired() == 2
    assert sqlite_adapter.get_session_and_user("live") is not None


def test_R_7_sqlite_lock_held_too_long_is_unavailable_then_recovers(tmp_path: Path) -> None:
    adapter = SQLAdapter(tmp_path / "lock.db", create_tables=True, timeout=0.2)
    holder = sqlite3.connect(tmp_path / "lock.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    started = time.monotonic()
    with pytest.raises(AdapterUnavailable):
        adapter.create_user(NewUser(email="a@x.test"))
    assert time.monotonic() - started < 2
    holder.execute("ROLLBACK")
    holder.close()
    assert adapter.create_user(NewUser(email="a@x.test")).email == "a@x.test"
    adapter.close()


def test_R_7_sqlite_read_only_file_is_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "ro.db"
    SQLAdapter(path, create_tables=True).close()
    adapter = SQLAdapter(f"sqlite:///file:{path}?mode=ro&uri=true")
    assert adapter.get_user("x") is None  # reads still work
    with pytest.raises(AdapterUnavailable):
        adapter.create_user(NewUser(email="a@x.test"))
    adapter.close()


def test_R_7_postgres_pool_pre_ping_recovers_from_killed_connections(
    pg_adapter: SQLAdapter, postgres_url: str
) -> None:
    user = pg_adapter.create_user(NewUser(email="a@x.test"))
    with pg_adapter.engine.connect() as conn:  # the pooled connection's name, set per test
        name = conn.exec_driver_sql("SHOW application_name").scalar()
    _kill_connections_named(postgres_url, str(name))
    started = time.monotonic()
    assert pg_adapter.get_user(user.id) == user  # pre-ping replaced the dead connection
    assert time.monotonic() - started < 5


def _kill_connections_named(postgres_url: str, name: str) -> None:
    """Terminate the backends and wait until they are gone.

    pg_terminate_backend only signals: on a loaded machine a ping can still be answered by a
    backend that dies a moment later, under the query the test means to run.
    """
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        killed = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            (name,),
        ).fetchall()
        assert killed and all(ok for (ok,) in killed)
        deadline = time.monotonic() + 5
        while admin.execute(
            "SELECT 1 FROM pg_stat_activity WHERE application_name = %s", (name,)
        ).fetchone():
            assert time.monotonic() < deadline, "the terminated backend did not exit"
            time.sleep(0.01)


def test_R_7_postgres_session_read_replaces_a_killed_connection_and_leaves_no_autocommit(
    pg_adapter: SQLAdapter, postgres_url: str
) -> None:
    user = pg_adapter.create_user(NewUser(email="a@x.test"))
    pg_adapter.create_session("hash-1", user.id, in_an_hour())
    with pg_adapter.engine.connect() as conn:
        name = conn.exec_driver_sql("SHOW application_name").scalar()
    _kill_connections_named(postgres_url, str(name))
    found = pg_adapter.load_session("hash-1")  # the session read runs on the DBAPI connection
    assert found is not None and found[1] == user
    with pg_adapter.engine.connect() as conn:  # the read's autocommit does not leak out
        assert conn.connection.driver_connection.autocommit is False  # type: ignore[union-attr]


def test_R_7_a_connection_lost_under_a_session_read_is_replaced(
    sqlite_adapter: SQLAdapter,
) -> None:
    user = sqlite_adapter.create_user(NewUser(email="a@x.test"))
    sqlite_adapter.create_session("hash-1", user.id, in_an_hour())
    lost = []

    def close_once(dbapi_connection: sqlite3.Connection, *_: object) -> None:
        if not lost:
            lost.append(dbapi_connection)
            dbapi_connection.close()  # as if it died between checkout and the query

    sa.event.listen(sqlite_adapter.engine.pool, "checkout", close_once)
    with pytest.raises(AdapterError) as failed:
        sqlite_adapter.load_session("hash-1")
    assert "sqlite3" not in type(failed.value).__module__  # an adapter error, not the driver's
    found = sqlite_adapter.load_session("hash-1")  # the dead connection was not reused
    assert found is not None and found[1] == user


def test_postgres_datetimes_are_utc_whatever_the_session_zone(pg_adapter: SQLAdapter) -> None:
    with pg_adapter.engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW TimeZone").scalar() == "Asia/Tokyo"
    user = pg_adapter.create_user(NewUser())
    expires = in_an_hour()
    pg_adapter.create_session("hash-1", user.id, expires)
    found = pg_adapter.get_session_and_user("hash-1")
    assert found is not None and found[0].expires == expires
    assert found[0].expires.tzinfo == UTC


def test_ping_keeps_an_in_memory_database() -> None:
    """The start-up ping empties the pool, but an in-memory SQLite lives in its one connection."""
    adapter = SQLAdapter("sqlite://", create_tables=True)
    adapter.ping()
    assert adapter.missing_tables() == []


def _token_names(adapter: SQLAdapter) -> set[str]:
    with adapter.engine.connect() as conn:
        return {row.token for row in conn.execute(sa.select(adapter.tokens))}


@pytest.mark.parametrize("backend", ["sqlite_adapter", "pg_adapter"])
def test_R_14_expired_verification_tokens_go_when_a_token_is_created(
    request: pytest.FixtureRequest, backend: str
) -> None:
    adapter: SQLAdapter = request.getfixturevalue(backend)
    past = datetime.now(UTC) - timedelta(seconds=1)
    with adapter.engine.begin() as conn:  # left behind by links nobody opened
        conn.execute(
            adapter.tokens.insert().values(identifier="a@x.test", token="old", expires=past)
        )
    adapter.create_verification_token(VerificationToken("a@x.test", "new", in_an_hour()))
    assert _token_names(adapter) == {"new"}
    # At most once per purge_interval (10 minutes by default) in each process: cheap.
    with adapter.engine.begin() as conn:
        conn.execute(
            adapter.tokens.insert().values(identifier="b@x.test", token="old", expires=past)
        )
    adapter.create_verification_token(VerificationToken("b@x.test", "newer", in_an_hour()))
    assert _token_names(adapter) == {"new", "newer", "old"}


def test_R_14_purge_interval_zero_purges_at_every_token_and_none_never(tmp_path: Path) -> None:
    past = datetime.now(UTC) - timedelta(seconds=1)
    for interval, left in (
        (0, {"live-1", "live-2"}),
        (None, {"old-1", "live-1", "old-2", "live-2"}),
    ):
        adapter = SQLAdapter(
            tmp_path / f"{interval}.db", create_tables=True, purge_interval=interval
        )
        for n in (1, 2):
            adapter.create_verification_token(VerificationToken("a@x.test", f"old-{n}", past))
            adapter.create_verification_token(
                VerificationToken("a@x.test", f"live-{n}", in_an_hour())
            )
        assert _token_names(adapter) == left
        adapter.close()
