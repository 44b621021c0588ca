"""Many workers, many hosts under load: 2 instances x 2 gunicorn workers sharing one database.

For PostgreSQL, then Redis (``AUTHMW_TEST_POSTGRES_URL`` / ``AUTHMW_TEST_REDIS_URL``, else the
local default; a store that does not answer is skipped): starts two gunicorn instances (gthread,
2 workers x 4 threads each, on free ports), signs *users* users in through credentials (spread
over both instances), then for *duration* seconds keep-alive clients read ``/api/auth/session``
and the protected ``/dashboard`` as random users on random instances. Prints requests/s,
p50/p99 latency, errors (must be 0) and mixed sessions (a user shown another's session: must
be 0). The client runs on the same machine, so the figures include its own cost.

Run: ``.venv/bin/python benchmarks/load.py [--duration 5] [--users 200] [--clients 16]``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.load_app import make_adapter  # noqa: E402
from benchmarks.throughput import free_port, run_clients, wait_ready  # noqa: E402

COOKIE = "authmw.session-token"
STORES = {
    "PostgreSQL": ("AUTHMW_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"),
    "Redis": ("AUTHMW_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"),
}


@contextmanager
def gunicorn(url: str, prefix: str) -> Any:
    """One instance: gunicorn, 2 gthread workers x 4 threads; yields its port."""
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "AUTHMW_LOAD_DATABASE_URL": url,
        "AUTHMW_LOAD_PREFIX": prefix,
    }
    command = [sys.executable, "-m", "gunicorn", "-w", "2", "-k", "gthread", "--threads", "4"]
    command += ["-b", f"127.0.0.1:{port}", "--log-level", "warning", "benchmarks.load_app:app"]
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    try:
        wait_ready(port, time.monotonic() + 30)
        yield port
    finally:
        process.terminate()
        process.wait(20)


def request(
    conn: http.client.HTTPConnection, method: str, path: str, **headers: str
) -> tuple[int, list[str], bytes]:
    """``(status, Set-Cookie values as name=value, body)``."""
    body = headers.pop("body", None)
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    cookies = [c.split(";", 1)[0] for c in response.msg.get_all("Set-Cookie") or []]
    return response.status, cookies, response.read()


def sign_in(port: int, email: str) -> str:
    """The credentials sign-in; the raw session cookie value."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    _, csrf_cookies, body = request(conn, "GET", "/api/auth/csrf")
    form = {"csrfToken": json.loads(body)["csrfToken"], "email": email, "password": f"pw-{email}"}
    status, cookies, _ = request(
        conn,
        "POST",
        "/api/auth/callback/credentials",
        body=urlencode(form),
        Cookie="; ".join(csrf_cookies),
        **{"Content-Type": "application/x-www-form-urlencoded"},
    )
    conn.close()
    session = [c.split("=", 1)[1] for c in cookies if c.startswith(COOKIE + "=")]
    if status != 302 or not session:
        raise RuntimeError(f"sign-in of {email} failed: {status}")
    return session[0]


def drive(ports: list[int], users: list[tuple[str, str]], clients: int, seconds: float) -> dict:
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    mixed = [0] * clients
    stop = time.monotonic() + seconds

    def client(index: int) -> None:
        pick = random.Random(index)
        conns = [http.client.HTTPConnection("127.0.0.1", p, timeout=10) for p in ports]
        while time.monotonic() < stop:
            email, raw = pick.choice(users)
            conn = pick.choice(conns)
            path = pick.choice(("/api/auth/session", "/dashboard"))
            started = time.perf_counter()
            try:
                status, _, body = request(conn, "GET", path, Cookie=f"{COOKIE}={raw}")
            except (OSError, http.client.HTTPException):
                errors[index] += 1
                conn.close()
                continue
            latencies[index].append(time.perf_counter() - started)
            if status != 200:
                errors[index] += 1
                continue
            data = json.loads(body)
            seen = (data.get("session") or {}) if path == "/dashboard" else data
            if (seen.get("user") or {}).get("email") != email:
                mixed[index] += 1
        for conn in conns:
            conn.close()

    run_clients(client, clients)
    every = sorted(x for one in latencies for x in one)
    return {
        "requests": len(every),
        "per_second": len(every) / seconds,
        "p50_ms": every[len(every) // 2] * 1000 if every else 0.0,
        "p99_ms": every[int(len(every) * 0.99)] * 1000 if every else 0.0,
        "errors": sum(errors),
        "mixed": sum(mixed),
    }


def run(name: str, url: str, args: argparse.Namespace) -> dict | None:
    prefix = f"load{uuid.uuid4().hex[:8]}"
    try:
        adapter = make_adapter(url, prefix, timeout=2)
        adapter.ping()
    except Exception as error:  # the store is not there: say so and go on
        print(f"{name}: skipped ({type(error).__name__})")
        return None
    if hasattr(adapter, "create_all"):
        adapter.create_all()
    try:
        with ExitStack() as stack:
            ports = [stack.enter_context(gunicorn(url, prefix)) for _ in range(2)]
            emails = [f"user{i}@example.com" for i in range(args.users)]
            with ThreadPoolExecutor(16) as pool:
                raws = list(pool.map(lambda i: sign_in(ports[i % 2], emails[i]), range(args.users)))
            return drive(ports, list(zip(emails, raws, strict=True)), args.clients, args.duration)
    finally:
        if hasattr(adapter, "drop_all"):
            adapter.drop_all()
        else:
            keys = list(adapter.client.scan_iter(match=f"{prefix}:*", count=1000))
            if keys:
                adapter.client.delete(*keys)
        adapter.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per store")
    parser.add_argument("--users", type=int, default=200, help="signed-in users")
    parser.add_argument("--clients", type=int, default=16, help="concurrent keep-alive clients")
    args = parser.parse_args()
    failed = False
    print("store        req/s   p50 ms   p99 ms   errors   mixed")
    for name, (variable, default) in STORES.items():
        result = run(name, os.environ.get(variable) or default, args)
        if result is None:
            continue
        print(
            f"{name:<10} {result['per_second']:7.0f} {result['p50_ms']:8.1f} "
            f"{result['p99_ms']:8.1f} {result['errors']:8d} {result['mixed']:7d}"
        )
        failed = failed or bool(result["errors"] or result["mixed"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
