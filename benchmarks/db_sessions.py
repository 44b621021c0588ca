"""Per-request cost of a database session lookup next to the jwt cookie, in one run.

Each case runs the full authmw stack (session middleware, dispatcher, a bare app) in a tight loop
with a prebuilt environ carrying a valid session cookie: no server, no sockets to the app. The
database cases pay one ``get_session_and_user`` round trip per request (``update_age`` is left at
its default, so no writes). SQLite uses a file in a temporary folder; PostgreSQL and Redis come
from ``AUTHMW_TEST_POSTGRES_URL`` / ``AUTHMW_TEST_REDIS_URL`` and are skipped when unset.

Prints µs per request and the ratio to the jwt cookie. Run:
``.venv/bin/python benchmarks/db_sessions.py [requests]``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import timeit
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import webtest

from authmw import Auth, CredentialsProvider

SECRET = "benchmark-secret-" + "x" * 32
COOKIE = "authmw.session-token"


def bare_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
    return None


def authorize(credentials: dict[str, str], request: Any) -> dict[str, Any]:
    return {"id": "1", "name": "Bench", "email": "bench@example.com"}


def signed_in_cookie(wsgi: Any) -> str:
    """Sign in once through the real endpoints and return the session cookie value."""
    browser = webtest.TestApp(wsgi)
    token = browser.get("/api/auth/csrf").json["csrfToken"]
    browser.post("/api/auth/callback/credentials", {"csrfToken": token, "email": "b", "pw": "p"})
    value: str = browser.cookies[COOKIE]
    return value


def stack(adapter: Any = None) -> Any:
    provider = CredentialsProvider(authorize=authorize, credentials={"email": {}, "pw": {}})
    auth = Auth(secret=SECRET, url="http://localhost", providers=[provider], adapter=adapter)
    return auth.wrap(bare_app)


def per_request(wsgi: Any, cookie: str, number: int) -> float:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/page",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "HTTP_COOKIE": f"{COOKIE}={cookie}",
    }

    def call() -> None:
        for _ in wsgi(dict(environ), start_response):
            pass

    call()
    best = min(timeit.repeat(call, number=number, repeat=5))
    return best / number * 1e6


def adapters(folder: Path) -> list[tuple[str, Callable[[], Any]]]:
    from authmw.adapters.sql import SQLAdapter

    made: list[tuple[str, Callable[[], Any]]] = [
        ("sqlite", lambda: SQLAdapter(folder / "bench.sqlite3", create_tables=True))
    ]
    postgres = os.environ.get("AUTHMW_TEST_POSTGRES_URL")
    if postgres:
        prefix = f"bench{uuid.uuid4().hex[:8]}_"
        made.append(
            ("postgres", lambda: SQLAdapter(postgres, table_prefix=prefix, create_tables=True))
        )
    redis_url = os.environ.get("AUTHMW_TEST_REDIS_URL")
    if redis_url:
        from authmw.adapters.redis import RedisAdapter

        made.append(("redis", lambda: RedisAdapter(redis_url, prefix=f"bench:{uuid.uuid4().hex}:")))
    return made


def cleanup(adapter: Any) -> None:
    if hasattr(adapter, "drop_all"):
        adapter.drop_all()
    else:
        keys = list(adapter.client.scan_iter(match=f"{adapter.prefix}*"))
        if keys:
            adapter.client.delete(*keys)
    adapter.close()


def main() -> None:
    number = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    jwt_app = stack()
    jwt_us = per_request(jwt_app, signed_in_cookie(jwt_app), number)
    rows = [("jwt cookie", jwt_us)]
    with tempfile.TemporaryDirectory() as folder:
        for name, build in adapters(Path(folder)):
            adapter = build()
            try:
                wsgi = stack(adapter)
                rows.append(
                    (f"database ({name})", per_request(wsgi, signed_in_cookie(wsgi), number))
                )
            finally:
                cleanup(adapter)
    print(f"signed-in request through the full stack, best of 5 x {number}")
    for label, us in rows:
        print(f"  {label:<22} {us:8.1f} µs   x{us / jwt_us:5.2f} vs jwt")
    skipped = {"postgres", "redis"} - {label.split("(")[-1].rstrip(")") for label, _ in rows}
    for name in sorted(skipped):
        print(f"  database ({name}) skipped: set AUTHMW_TEST_{name.upper()}_URL")


if __name__ == "__main__":
    main()
