"""A PostgreSQL cluster and a redis-server of the test's own, which the test may stop and start.

Both listen on a free 127.0.0.1 port and keep their data in a temporary folder, so a stop is a
real outage (connections refused, pooled connections dead) and a start brings the same data
back. As root, PostgreSQL runs as the ``postgres`` user (``runuser``); otherwise as the
current user. :func:`missing_binaries` says why the tests must skip when the programs are absent.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.support import free_port

__all__ = ["OwnPostgres", "OwnRedis", "missing_binaries"]


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if found:
        return Path(found[0]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def missing_binaries(kind: str) -> str | None:
    """Why a server of *kind* (``postgres`` or ``redis``) cannot be started here, or ``None``."""
    if kind == "postgres":
        if _pg_bin() is None:
            return "initdb/pg_ctl not found (install the postgresql server package)"
        if os.geteuid() == 0 and shutil.which("runuser") is None:
            return "running as root without runuser to start PostgreSQL as postgres"
        return None
    return None if shutil.which("redis-server") else "redis-server not found"


def _wait_port(port: int, up: bool, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                answered = True
        except OSError:
            answered = False
        if answered == up:
            return
        time.sleep(0.05)
    raise RuntimeError(f"port {port} still {'closed' if up else 'open'} after {timeout} s")


class OwnPostgres:
    """``initdb`` once (trust auth, no fsync), then :meth:`start` / :meth:`stop` at will."""

    def __init__(self) -> None:
        self.bin = _pg_bin()
        assert self.bin is not None
        self.port = free_port()
        self.home = Path(tempfile.mkdtemp(prefix="authmw-pg-"))
        self.data = self.home / "data"
        self.home.chmod(0o755)
        self.running = False
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            shutil.chown(self.home, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, program: str, *args: str) -> None:
        assert self.bin is not None
        command = [str(self.bin / program), *args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        """Start the server (nothing to do when it runs)."""
        if self.running:
            return
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.home} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        log = str(self.home / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")
        _wait_port(self.port, up=True)
        self.running = True

    def stop(self) -> None:
        """A fast shutdown: every client connection is cut, the data is kept."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        _wait_port(self.port, up=False)
        self.running = False

    def remove(self) -> None:
        if self.running:
            with contextlib.suppress(subprocess.SubprocessError, RuntimeError):
                self.stop()
        shutil.rmtree(self.home, ignore_errors=True)


class OwnRedis:
    """``redis-server`` with an append-only file (no RDB snapshots): a restart keeps the data."""

    def __init__(self) -> None:
        self.port = free_port()
        self.home = Path(tempfile.mkdtemp(prefix="authmw-redis-"))
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        return self.process is not None

    def start(self) -> None:
        """Start the server (nothing to do when it runs)."""
        if self.process is not None:
            return
        command = [
            "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.home),
            "--save",
            "",
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
        ]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _wait_port(self.port, up=True)

    def stop(self) -> None:
        """SIGTERM: Redis closes every client and exits; the append-only file stays."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(15)
            self.process = None
        _wait_port(self.port, up=False)

    def remove(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(15)
            self.process = None
        shutil.rmtree(self.home, ignore_errors=True)
