"""The floor under a database-session request: one round trip to the store, from CPU 0.

``benchmarks/served.py`` pins its servers to CPU 0; this measures, pinned the same way and with
no load running, the least one request to the store costs there: ``SELECT 1`` on an
autocommit psycopg connection (PostgreSQL) or ``PING`` through redis-py (Redis), best of five.
A database session needs at least that on top of a jwt ``/session``, so the ratio to the jwt
cookie cannot pass ``jwt / (jwt + round trip)`` on this machine (served, the store's process
also competes for the CPUs, so the real ceiling is lower still).

Run: ``.venv/bin/python -m benchmarks.round_trip postgres:<url> | redis:<url>``.
"""

from __future__ import annotations

import subprocess
import sys
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _call(store: str) -> Callable[[], Any]:
    kind, _, target = store.partition(":")
    if kind == "postgres":
        import psycopg

        connection = psycopg.connect(target, autocommit=True)
        return lambda: connection.execute("SELECT 1").fetchone()
    if kind == "redis":
        import redis

        return redis.Redis.from_url(target).ping
    raise SystemExit(f"no round trip for {store!r}: postgres:<url> or redis:<url>")


def measure(store: str, number: int = 2000) -> float:
    """µs of one round trip to *store*, best of five runs of *number*."""
    call = _call(store)
    for _ in range(200):
        call()
    return min(timeit.repeat(call, number=number, repeat=5)) / number * 1e6


def pinned_round_trip(store: str) -> float:
    """:func:`measure` in a process pinned to CPU 0, as the servers are."""
    command = ["taskset", "-c", "0", sys.executable, "-m", "benchmarks.round_trip", store]
    out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return float(out)


if __name__ == "__main__":
    print(f"{measure(sys.argv[1]):.1f}")
