"""What a user may pass as a database: URLs, paths, in-memory SQLite, and clear refusals."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from authmw import ConfigurationError
from authmw.adapters import NewUser
from authmw.adapters.sql import SQLAdapter
from authmw.adapters.sql_engine import database_url, make_engine


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_in_memory_sqlite_is_one_shared_database(url: str) -> None:
    adapter = SQLAdapter(url, create_tables=True)
    try:
        user = adapter.create_user(NewUser(email="mem@example.com"))
        found: list[object] = []
        reader = threading.Thread(target=lambda: found.append(adapter.get_user(user.id)))
        reader.start()
        reader.join(5)
        assert found == [user], "another thread sees the same in-memory database"
    finally:
        adapter.close()


@pytest.mark.parametrize(
    "target", ["not a url", "users", "postgres", "localhost:5432", "redis-ish thing"]
)
def test_a_string_that_is_neither_url_nor_path_is_refused(target: str) -> None:
    with pytest.raises(ConfigurationError, match=r"database URL .*\.sqlite3; got '"):
        SQLAdapter(target)


@pytest.mark.parametrize("target", ["auth.db", "data/auth", "x.sqlite", "./users.sqlite3"])
def test_a_clear_sqlite_path_is_a_sqlite_file(target: str) -> None:
    url = database_url(target)
    assert url.get_backend_name() == "sqlite"
    assert url.database == target


def test_a_path_object_is_always_a_sqlite_file(tmp_path: Path) -> None:
    assert database_url(tmp_path / "anything").database == str(tmp_path / "anything")


def test_a_malformed_url_is_refused_without_echoing_a_password() -> None:
    with pytest.raises(ConfigurationError) as caught:
        database_url("postgresql://user:s3cret@host:notaport/db")
    assert "s3cret" not in str(caught.value)
    with pytest.raises(ConfigurationError, match="not a database URL: 'foo://::'"):
        database_url("foo://::")


def test_a_missing_driver_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(ConfigurationError, match=r"pip install 'authmw\[postgres\]'"):
        make_engine("postgresql://u@127.0.0.1:1/db", 1.0, {})


@pytest.mark.parametrize(
    ("module", "blocked", "extra"),
    [
        ("authmw.adapters.sql", "sqlalchemy", "sql"),
        ("authmw.adapters.redis", "redis", "redis"),
    ],
)
def test_a_missing_optional_package_names_the_extra(module: str, blocked: str, extra: str) -> None:
    code = f"import sys; sys.modules[{blocked!r}] = None; import {module}"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert f"{blocked} is not installed: pip install 'authmw[{extra}]'" in result.stderr


def test_engine_options_still_pass_through() -> None:
    engine = make_engine("sqlite://", 1.0, {"echo": False})
    assert isinstance(engine, sa.Engine)
    engine.dispose()


@pytest.mark.parametrize(
    ("url", "shown", "cause"),
    [
        ("postgresql://app:hunter2@127.0.0.1:1/db", "127.0.0.1:1", "refused"),
        ("redis://:hunter2@127.0.0.1:1/0", "127.0.0.1:1", "refused"),
    ],
)
def test_a_store_down_at_start_up_is_one_line_naming_it(
    url: str, shown: str, cause: str, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    from authmw import Auth
    from authmw.adapters import from_url

    adapter = from_url(url, timeout=1)
    auth = Auth(secret="s" * 40, url="http://localhost", adapter=adapter)
    with caplog.at_level(logging.WARNING, logger="authmw"):
        auth.wrap(lambda environ, start_response: [])
    (line,) = [r.getMessage() for r in caplog.records if "start-up" in r.getMessage()]
    assert shown in line and cause in line.lower() and "serving anyway" in line
    assert "hunter2" not in caplog.text
    adapter.close()


def test_ping_leaves_no_pooled_connection_behind(tmp_path: Path) -> None:
    """Safe before a fork (gunicorn --preload): workers never share a start-up connection."""
    adapter = SQLAdapter(tmp_path / "ping.db", create_tables=True)
    adapter.ping()
    assert adapter.engine.pool.checkedin() == 0
    adapter.create_user(NewUser(email="after@example.com"))  # the pool refills on demand
    adapter.close()


def test_redis_ping_leaves_no_connection_behind() -> None:
    import os

    from authmw.adapters.redis import RedisAdapter

    url = os.environ.get("AUTHMW_TEST_REDIS_URL")
    if not url:
        pytest.skip("set AUTHMW_TEST_REDIS_URL to run the Redis case")
    adapter = RedisAdapter(url)
    adapter.ping()
    pool = adapter.client.connection_pool
    assert all(c._sock is None for c in pool._available_connections), "sockets closed"
    adapter.ping()
    adapter.close()
