"""Adapters across a fork, as gunicorn ``--preload`` forks its workers from a built app.

The parent opens pooled connections first; then parent and child use the adapter at the same
time. A child on its parent's socket would garble both conversations ("server closed the
connection", "SSL error", another query's reply); each must get its own answers. The fork runs
in a subprocess, so pytest's own threads are never forked. Also: building the app opens
nothing that a fork would share, and the pools take their size and wait limits.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from authmw import Auth
from authmw.adapters import AdapterUnavailable
from authmw.adapters.redis import RedisAdapter
from authmw.adapters.sql import SQLAdapter
from authmw.errors import ConfigurationError

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import os, sys, traceback
from authmw.adapters import NewUser
from authmw.adapters.redis import RedisAdapter
from authmw.adapters.sql import SQLAdapter

kind, url, prefix = sys.argv[1:4]
if kind == "redis":
    adapter = RedisAdapter(url, prefix=prefix + ":")
else:
    adapter = SQLAdapter(url, table_prefix=prefix + "_", create_tables=True)
parent = adapter.create_user(NewUser(email="parent@example.com"))  # a pooled connection now
assert adapter.get_user(parent.id).email == "parent@example.com"

def work(me, other_email):
    mine = adapter.create_user(NewUser(email=me))
    for _ in range(60):
        assert adapter.get_user(mine.id).email == me
        assert adapter.get_user_by_email(other_email) is None or other_email
    return mine

go_read, go_write = os.pipe()  # both start their queries at the same moment
pid = os.fork()
if pid == 0:
    try:
        os.read(go_read, 1)
        work("child@example.com", "parent@example.com")
        os._exit(0)
    except BaseException:
        traceback.print_exc()
        os._exit(1)
try:
    os.write(go_write, b"!")
    work("parent2@example.com", "child@example.com")
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, "the child failed"
    assert adapter.get_user_by_email("child@example.com") is not None
finally:
    adapter.close()  # a fresh pool: the tables go even when a garbled connection remains
    if kind == "redis":
        keys = list(adapter.client.scan_iter(match=prefix + ":*"))
        adapter.client.delete(*keys)
    else:
        adapter.drop_all()
print("ok")
"""


def _url(kind: str, tmp_path: Path) -> str:
    if kind == "sqlite":
        return str(tmp_path / "forked.db")
    name = {"postgres": "AUTHMW_TEST_POSTGRES_URL", "redis": "AUTHMW_TEST_REDIS_URL"}[kind]
    url = os.environ.get(name)
    if not url:
        pytest.skip(f"set {name} to run the fork test on {kind}")
    return url


@pytest.mark.parametrize("kind", ["sqlite", "postgres", "redis"])
def test_parent_and_forked_child_use_the_adapter_at_once(kind: str, tmp_path: Path) -> None:
    prefix = f"fork{uuid.uuid4().hex[:8]}"
    script = tmp_path / "fork_adapter.py"
    script.write_text(textwrap.dedent(SCRIPT))
    run = subprocess.run(
        [sys.executable, str(script), kind, _url(kind, tmp_path), prefix],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr[-2000:]


def test_building_the_app_leaves_no_open_connection_to_fork(tmp_path: Path) -> None:
    adapter = SQLAdapter(tmp_path / "auth.db", create_tables=True)
    Auth(secret="f" * 40, url="http://localhost", adapter=adapter).wrap(lambda e, s: [])
    assert adapter.engine.pool.checkedin() == 0  # type: ignore[attr-defined]
    assert adapter.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    adapter.close()


def test_sql_pool_takes_its_size_per_process(tmp_path: Path) -> None:
    options = {"pool_size": 3, "max_overflow": 1}
    adapter = SQLAdapter(tmp_path / "auth.db", engine_options=options, timeout=2)
    assert adapter.engine.pool.size() == 3  # type: ignore[attr-defined]
    assert adapter.engine.pool._max_overflow == 1  # type: ignore[attr-defined]
    assert adapter.engine.pool._timeout == 2  # type: ignore[attr-defined]
    adapter.close()


def test_redis_pool_is_bounded_and_waits_at_most_the_timeout() -> None:
    url = os.environ.get("AUTHMW_TEST_REDIS_URL")
    if not url:
        pytest.skip("set AUTHMW_TEST_REDIS_URL to run the Redis pool test")
    adapter = RedisAdapter(url, timeout=0.3, max_connections=1, prefix=f"p{uuid.uuid4().hex}:")
    pool = adapter.client.connection_pool
    held = pool.get_connection()  # the only one
    try:
        with pytest.raises(AdapterUnavailable):
            adapter.get_user("nobody")
    finally:
        pool.release(held)
    assert adapter.get_user("nobody") is None
    adapter.close()


@pytest.mark.parametrize("bad", [0, -1, 1.5, "4"])
def test_redis_max_connections_must_be_a_positive_whole_number(bad: object) -> None:
    with pytest.raises(ConfigurationError, match="max_connections"):
        RedisAdapter("redis://127.0.0.1:1/0", max_connections=bad)  # type: ignore[arg-type]
