"""Requests per second of the auth endpoints through real servers, as ratios within one run.

Starts each server (gunicorn sync, gunicorn gthread, waitress; one worker) pinned to CPU 0 with
``taskset``, drives it with ``wrk`` pinned to CPU 1 (8 keep-alive connections), cases in
alternating order for several rounds, and prints the median requests/s and the ratios the
issue-13 goals name. A case that sends the session cookie is compared with the bare app
receiving the same cookie: the server's parsing of that header is not authmw's cost. Every
response is checked (status 200 and the body's shape); a bad one fails the run. Cases: a bare
app (without and with the cookie); a protected page (valid jwt cookie, 1,000 rules);
``GET /api/auth/session`` with a valid jwt cookie, anonymous, and with database sessions on
SQLite (a temporary file), PostgreSQL and Redis (``AUTHMW_TEST_POSTGRES_URL`` /
``AUTHMW_TEST_REDIS_URL``; skipped when unset). For PostgreSQL and Redis it also prints the
ceiling that one round trip to the store sets on this machine (:mod:`benchmarks.round_trip`).

``wrk`` is the Debian package (``apt-get install -y wrk``); without it a Python load generator
(threads over ``http.client``, also pinned) is used and says so: its ceiling is lower, so the
ratios come out closer to 1 than they are. Run:
``.venv/bin/python benchmarks/served.py [--seconds 3] [--rounds 3] [--servers sync,waitress]``.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.round_trip import pinned_round_trip  # noqa: E402
from benchmarks.throughput import free_port, run_clients, wait_ready  # noqa: E402

SESSION = "/api/auth/session"
SERVERS = {
    "sync": ["gunicorn", "-w", "1", "-k", "sync"],
    "gthread": ["gunicorn", "-w", "1", "-k", "gthread", "--threads", "4"],
    "waitress": ["waitress-serve", "--threads=4"],
}
#: wrk script: counts responses whose status or body start is not the expected one.
CHECK_LUA = """
local expect = os.getenv("EXPECT")
local bad = 0
response = function(status, headers, body)
  if status ~= 200 or string.sub(body, 1, #expect) ~= expect then bad = bad + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("BAD %d\\n", bad))
end
"""
# per-thread counters in wrk are separate Lua states: with -t1 there is one


class Case:
    def __init__(self, label: str, app: str, path: str, cookie: str, expect: str) -> None:
        self.label, self.app, self.path, self.cookie, self.expect = label, app, path, cookie, expect


def jwt_cookie() -> str:
    from benchmarks.served_apps import build

    codec = build("jwt").realm({}).session_codec
    claims = {"sub": "1", "name": "Alice", "email": "alice@example.com"}
    return f"authmw.session-token={codec.encode(claims, max_age=86400)}"


def database_cookie(store: str) -> str:
    """A user and a live database session in *store*; the cookie naming it."""
    from authmw.adapters.base import NewUser
    from authmw.session.database import hash_token
    from benchmarks.served_apps import _adapter

    adapter = _adapter(store)
    if hasattr(adapter, "create_all"):
        adapter.create_all()
    user = adapter.create_user(NewUser(email=f"{secrets.token_hex(6)}@bench.test", name="Ada"))
    raw = secrets.token_urlsafe(32)
    adapter.create_session(hash_token(raw), user.id, datetime.now(UTC) + timedelta(days=30))
    return f"authmw.session-token={raw}"


def cases(tmp: Path) -> tuple[list[Case], dict[str, str]]:
    cookie = jwt_cookie()
    made = [
        Case("bare app", "bare", "/", "", "ok"),
        # the same request headers: the server's parsing of a ~600-byte cookie is no cost of
        # authmw's, so the cases carrying that cookie are compared with this one
        Case("bare app, same cookie", "bare", "/", cookie, "ok"),
        Case("protected page, jwt cookie", "jwt", "/dashboard/reports", cookie, "ok"),
        Case("/session, jwt cookie", "jwt", SESSION, cookie, '{"user":'),
        Case("/session, anonymous", "jwt", SESSION, "", "{}"),
    ]
    stores = {"jwt": "jwt", "sqlite": f"sqlite:{tmp / 'bench.db'}"}
    if os.environ.get("AUTHMW_TEST_POSTGRES_URL"):
        stores["postgres"] = "postgres:" + os.environ["AUTHMW_TEST_POSTGRES_URL"]
    if os.environ.get("AUTHMW_TEST_REDIS_URL"):
        stores["redis"] = "redis:" + os.environ["AUTHMW_TEST_REDIS_URL"]
    for name in ("sqlite", "postgres", "redis"):
        if name in stores:
            made.append(
                Case(f"/session, {name}", name, SESSION, database_cookie(stores[name]), '{"user":')
            )
        else:
            print(f"({name} skipped: AUTHMW_TEST_{name.upper()}_URL is not set)")
    return made, stores


def start(server: str, app: str, store: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    target = "benchmarks.served_apps:" + ("bare" if app == "bare" else "wrapped")
    bin_dir = Path(sys.executable).parent
    command = [str(bin_dir / SERVERS[server][0]), *SERVERS[server][1:]]
    if server == "waitress":
        command += [f"--listen=127.0.0.1:{port}", target]
    else:
        command += ["-b", f"127.0.0.1:{port}", "--log-level", "warning", target]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "AUTHMW_BENCH_STORE": store}
    process = subprocess.Popen(
        ["taskset", "-c", "0", *command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_ready(port, time.monotonic() + 30)
    return process, port


def warm_up(port: int, case: Case, deadline: float = 60) -> None:
    stop = time.monotonic() + deadline
    headers = {"Cookie": case.cookie} if case.cookie else {}
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", case.path, headers=headers)
            response = conn.getresponse()
            if response.status == 200 and response.read().startswith(case.expect.encode()):
                return
        except OSError:
            pass
        if time.monotonic() > stop:
            raise SystemExit(f"{case.label}: no good answer from the server")
        time.sleep(0.2)


def drive_wrk(port: int, case: Case, seconds: float, script: Path) -> float:
    command = ["taskset", "-c", "1", "wrk", "-t1", "-c8", f"-d{round(seconds)}s", "-s", str(script)]
    if case.cookie:
        command += ["-H", f"Cookie: {case.cookie}"]
    command.append(f"http://127.0.0.1:{port}{case.path}")
    out = subprocess.run(
        command, env={**os.environ, "EXPECT": case.expect}, capture_output=True, text=True
    ).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    bad = re.search(r"BAD (\d+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", out)
    if rate is None or bad is None or int(bad.group(1)) or errors:
        raise SystemExit(f"{case.label}: bad responses or wrk failure:\n{out}")
    return float(rate.group(1))


def drive_python(port: int, case: Case, seconds: float, clients: int = 8) -> float:
    counts = [0] * clients
    stop = time.monotonic() + seconds
    failures: list[str] = []

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        headers = {"Cookie": case.cookie} if case.cookie else {}
        while time.monotonic() < stop:
            conn.request("GET", case.path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            if response.status != 200 or not body.startswith(case.expect.encode()):
                failures.append(f"{response.status} {body[:60]!r}")
                return
            counts[index] += 1
        conn.close()

    run_clients(client, clients)
    if failures:
        raise SystemExit(f"{case.label}: bad response {failures[0]}")
    return sum(counts) / seconds


def run_server(
    server: str, made: list[Case], stores: dict[str, str], args: Any
) -> dict[str, float]:
    script = Path(args.tmp) / "check.lua"
    script.write_text(CHECK_LUA)
    processes: dict[str, tuple[subprocess.Popen[bytes], int]] = {}
    try:
        for app in {case.app for case in made}:
            processes[app] = start(server, app, stores.get(app, "jwt"))
        for case in made:  # the worker has loaded the app and answers right: warm up
            warm_up(processes[case.app][1], case)
        rates: dict[str, list[float]] = {case.label: [] for case in made}
        for round_number in range(args.rounds):
            shift = round_number % len(made)
            for case in made[shift:] + made[:shift]:  # alternate the order between rounds
                port = processes[case.app][1]
                if args.wrk:
                    rate = drive_wrk(port, case, args.seconds, script)
                else:
                    rate = drive_python(port, case, args.seconds)
                rates[case.label].append(rate)
        return {label: statistics.median(values) for label, values in rates.items()}
    finally:
        for process, _ in processes.values():
            process.terminate()
            process.wait(timeout=10)


def report(server: str, medians: dict[str, float], floors: dict[str, float]) -> None:
    bases = {
        "bare": medians["bare app"],
        "bare, same cookie": medians["bare app, same cookie"],
        "jwt": medians["/session, jwt cookie"],
    }
    goals = {
        "protected page, jwt cookie": ("bare, same cookie", 0.85),
        "/session, jwt cookie": ("bare, same cookie", 0.60),
        "/session, anonymous": ("bare", 0.80),
        "/session, redis": ("jwt", 0.90),
        "/session, postgres": ("jwt", 0.70),
        "/session, sqlite": ("jwt", 0.70),
    }
    print(f"\n{server}: median req/s, ratio (goal)")
    print("| request | req/s | ratio | goal |\n| --- | --- | --- | --- |")
    print(f"| bare app | {bases['bare']:,.0f} | 1 | |")
    for label, value in medians.items():
        if label == "bare app":
            continue
        if label == "bare app, same cookie":
            print(f"| {label} | {value:,.0f} | {value / bases['bare']:.2f} of bare | |")
            continue
        base, goal = goals[label]
        ratio = value / bases[base]
        mark = "met" if ratio >= goal else "NOT met"
        print(f"| {label} | {value:,.0f} | {ratio:.2f} of {base} | >= {goal} {mark} |")
    jwt_us = 1e6 / bases["jwt"]
    for name, floor in floors.items():  # what one round trip alone leaves possible
        ceiling = jwt_us / (jwt_us + floor)
        print(
            f"{name}: one round trip costs {floor:.0f} µs from CPU 0 and a jwt /session "
            f"{jwt_us:.0f} µs, so no {name} session can pass {ceiling:.2f} of jwt here"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--servers", default="sync,gthread,waitress")
    args = parser.parse_args()
    args.wrk = shutil.which("wrk") is not None
    if not args.wrk:
        print("wrk not found (Debian: apt-get install -y wrk): using the Python load generator")
        os.sched_setaffinity(0, {1})
    print(
        f"{datetime.now(UTC):%Y-%m-%d}, {platform.node()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}; server on CPU 0, load on CPU 1"
    )
    with tempfile.TemporaryDirectory() as tmp:
        args.tmp = tmp
        made, stores = cases(Path(tmp))
        floors = {
            name: pinned_round_trip(stores[name])
            for name in ("postgres", "redis")
            if name in stores
        }
        for server in args.servers.split(","):
            report(server, run_server(server, made, stores, args), floors)


if __name__ == "__main__":
    main()
