"""Requests per second through gunicorn on 127.0.0.1: the wrapped app against the bare one.

Starts gunicorn (sync workers, one per core) twice on a free loopback port, once serving the bare
app and once the same app behind the full stack with a valid session cookie and 1,000 rules, then
drives each with keep-alive HTTP clients for a fixed time. Prints requests/s and the ratio
wrapped/bare (target >= 0.85). Run: ``.venv/bin/python benchmarks/throughput.py [seconds]``.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 8


def run_clients(client: Callable[[int], None], count: int) -> None:
    """Run ``client(0)`` .. ``client(count - 1)`` in threads at once; return when all ended."""
    threads = [threading.Thread(target=client, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_ready(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("gunicorn did not start")


def drive(port: int, path: str, cookie: str, seconds: float) -> float:
    counts = [0] * CLIENTS
    stop = time.monotonic() + seconds

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        headers = {"Cookie": cookie} if cookie else {}
        while time.monotonic() < stop:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"unexpected status {response.status}")
            counts[index] += 1
        conn.close()

    run_clients(client, CLIENTS)
    return sum(counts) / seconds


def run(target: str, cookie: str, seconds: float) -> float:
    port = free_port()
    workers = str(os.cpu_count() or 1)
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        workers,
        "--worker-class",
        "gthread",
        "--threads",
        "4",
        "--log-level",
        "warning",
        target,
    ]
    server = subprocess.Popen(cmd, cwd=ROOT)
    try:
        wait_ready(port, time.monotonic() + 15)
        drive(port, "/dashboard/reports", cookie, 1.0)  # warm up
        return drive(port, "/dashboard/reports", cookie, seconds)
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    sys.path.insert(0, str(ROOT))
    from benchmarks.throughput_apps import session_cookie

    bare = run("benchmarks.throughput_apps:bare", "", seconds)
    wrapped = run("benchmarks.throughput_apps:wrapped", session_cookie(), seconds)
    print(f"bare:    {bare:10.0f} requests/s")
    print(f"wrapped: {wrapped:10.0f} requests/s (valid session cookie, 1,000 rules)")
    print(f"ratio wrapped/bare: {wrapped / bare:.2f} (target >= 0.85)")


if __name__ == "__main__":
    main()
