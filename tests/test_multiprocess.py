"""The warning for several worker processes with no shared store: once per process.

WebTest sets ``wsgi.multiprocess`` through ``extra_environ``; a real ``gunicorn -w 2 --preload``
shows that each forked worker warns once, and only once.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
import webtest

from authmw.adapters.sql import SQLAdapter
from authmw.multiprocess import IN_PROCESS_WARNING, InProcessStateWarning
from tests.conftest import echo_app
from tests.support import free_port

ROOT = Path(__file__).resolve().parents[1]


def warnings_in(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage() == IN_PROCESS_WARNING]


def test_several_processes_without_a_store_warn_once(
    make_app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app()
    app.extra_environ = {"wsgi.multiprocess": True}
    caplog.set_level(logging.WARNING, logger="authmw")
    for path in ("/", "/api/auth/session", "/"):
        app.get(path)
    assert warnings_in(caplog) == [IN_PROCESS_WARNING]
    for what in ("revocation list", "throttle counters", "replay markers", "adapter="):
        assert what in IN_PROCESS_WARNING


def test_one_process_does_not_warn(make_app: Any, caplog: pytest.LogCaptureFixture) -> None:
    app = make_app()
    app.extra_environ = {"wsgi.multiprocess": False}
    caplog.set_level(logging.WARNING, logger="authmw")
    app.get("/")
    assert warnings_in(caplog) == []


def test_a_shared_store_needs_no_check(
    make_auth: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    adapter = SQLAdapter(tmp_path / "auth.db", create_tables=True)
    auth = make_auth(adapter=adapter)
    assert auth.state_is_shared
    wrapped = auth.wrap(echo_app)
    assert not isinstance(wrapped, InProcessStateWarning)
    caplog.set_level(logging.WARNING, logger="authmw")
    webtest.TestApp(wrapped, extra_environ={"wsgi.multiprocess": True}).get("/")
    assert warnings_in(caplog) == []
    adapter.close()


APP = """
import os, time
from authmw import Auth

auth = Auth(secret="g" * 40, url="http://localhost")

def inner(environ, start_response):
    time.sleep(0.2)  # keep this worker busy so the other one takes the next request
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(os.getpid()).encode()]

app = auth.wrap(inner)
"""


def test_each_gunicorn_worker_warns_once(tmp_path: Path) -> None:
    (tmp_path / "multi_app.py").write_text(textwrap.dedent(APP))
    port = free_port()
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{tmp_path}"}
    command = [sys.executable, "-m", "gunicorn", "-w", "2", "--preload", "-b", f"127.0.0.1:{port}"]
    server = subprocess.Popen(
        [*command, "multi_app:app"], env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                requests.get(f"http://127.0.0.1:{port}/", timeout=5)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.1)

        def pid(_: int) -> str:
            return requests.get(f"http://127.0.0.1:{port}/", timeout=10).text

        with ThreadPoolExecutor(6) as pool:
            pids = set(pool.map(pid, range(12)))
    finally:
        server.send_signal(signal.SIGTERM)
        _, errors = server.communicate(timeout=20)
    assert len(pids) == 2
    assert errors.decode().count("several worker processes serve this app") == 2
