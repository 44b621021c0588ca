"""Database sessions end to end on real SQLite files, PostgreSQL and Redis.

PostgreSQL and Redis come from ``AUTHMW_TEST_POSTGRES_URL`` / ``AUTHMW_TEST_REDIS_URL``; without
them those cases are skipped (``AUTHMW_REQUIRE_SERVICES=1`` makes that a failure). Outages are
made with a TCP relay in front of the real server that the test stops and restarts.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
import time_machine
import webtest

from authmw import Auth
from authmw.adapters.redis import RedisAdapter
from authmw.adapters.sql import SQLAdapter
from authmw.session.database import DatabaseStrategy
from tests import support

SESSION = "authmw.session-token"
SECRET = "d" * 32 + "-database-sessions"
DAY = 24 * 3600
RULES = [
    {"path": "/dashboard/**", "signed_in": True},
    {"path": "/api/**", "signed_in": True, "api": True},
]


def service_url(name: str, what: str) -> str:
    url = os.environ.get(name)
    if not url:
        message = f"set {name} to run the {what} database-session tests"
        if os.environ.get("AUTHMW_REQUIRE_SERVICES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return url


class Relay:
    """A TCP relay on 127.0.0.1 to *target*; ``stop()`` is a database outage."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.listener.close()
        self.sockets: list[socket.socket] = []
        self.running = False

    def start(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while self.running:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target, timeout=5)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        self.running = False
        with contextlib.suppress(OSError):  # shutdown wakes the blocked accept() on Linux
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        for s in self.sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
        self.sockets.clear()


def _via(url: str, port: int) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    host = f"127.0.0.1:{port}"
    return urlunsplit(parts._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) == 2 else host))


def _target(url: str, default_port: int) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or default_port


def _build(kind: str, tmp_path: Path, url: str | None = None, **options: Any) -> Any:
    if kind == "sqlite":
        return SQLAdapter(url or tmp_path / "auth.sqlite3", create_tables=True, **options)
    if kind == "postgres":
        prefix = f"t{uuid.uuid4().hex[:10]}_"
        return SQLAdapter(url, table_prefix=prefix, create_tables=True, **options)
    return RedisAdapter(url or "", prefix=f"authmw-test:{uuid.uuid4().hex}:", **options)


def _dispose(adapter: Any) -> None:
    if isinstance(adapter, SQLAdapter):
        adapter.drop_all()
    else:
        keys = list(adapter.client.scan_iter(match=f"{adapter.prefix}*", count=1000))
        if keys:
            adapter.client.delete(*keys)
    adapter.close()


def live_store(kind: str, tmp_path: Path) -> Iterator[Any]:
    """A live adapter of *kind* (``sqlite``, ``postgres``, ``redis``), emptied afterwards."""
    url = None
    if kind == "postgres":
        url = service_url("AUTHMW_TEST_POSTGRES_URL", "PostgreSQL")
    elif kind == "redis":
        url = service_url("AUTHMW_TEST_REDIS_URL", "Redis")
    adapter = _build(kind, tmp_path, url)
    yield adapter
    _dispose(adapter)


@pytest.fixture(params=["sqlite", "postgres", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A live adapter of each kind, emptied afterwards."""
    yield from live_store(request.param, tmp_path)


def authorize(credentials: dict[str, str], request: Any) -> dict[str, Any] | None:
    """Any ``*@example.com`` signs in with the password ``pw-<address>``."""
    email = credentials.get("email", "")
    if email.endswith("@example.com") and credentials.get("password") == f"pw-{email}":
        return {"id": f"app-{email}", "name": email.split("@")[0], "email": email}
    return None


def session_with_id(session: dict[str, Any], user: dict[str, Any] | None = None) -> dict[str, Any]:
    if user is not None:
        session["user"]["id"] = user["id"]
    return session


@pytest.fixture
def db_app(store: Any, make_credentials: Callable[..., Any]) -> Callable[..., webtest.TestApp]:
    def factory(**options: Any) -> webtest.TestApp:
        settings: dict[str, Any] = {
            "secret": SECRET,
            "url": "http://localhost",
            "adapter": store,
            "providers": [make_credentials(authorize=authorize)],
            "callbacks": {"session": session_with_id},
            **options,
        }
        return webtest.TestApp(Auth(**settings).wrap(_echo, rules=RULES))

    return factory


def _echo(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    import json

    body = json.dumps({"session": environ.get("auth.session")}).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]


def sign_in(app: webtest.TestApp, email: str = "alice@example.com") -> webtest.TestResponse:
    """The shared sign-in with this module's password rule (see :func:`authorize`)."""
    return support.sign_in(app, email, f"pw-{email}")


def hashed(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


# -- the basics, on every adapter ---------------------------------------------------------


def test_database_is_the_default_strategy_with_an_adapter(db_app: Callable[..., Any]) -> None:
    app = db_app()
    assert isinstance(app.app.auth.strategy, DatabaseStrategy)  # type: ignore[attr-defined]


def test_S_S2_cookie_is_opaque_and_only_its_hash_is_stored(
    db_app: Callable[..., Any], store: Any
) -> None:
    app = db_app()
    assert sign_in(app).status_int == 302
    raw = app.cookies[SESSION]
    assert len(raw) == 43 and raw.replace("-", "").replace("_", "").isalnum()
    assert "." not in raw  # not a JWT
    assert store.get_session_and_user(raw) is None
    found = store.get_session_and_user(hashed(raw))
    assert found is not None and found[1].email == "alice@example.com"


def test_session_json_has_the_jwt_shape_and_callback_gets_user(db_app: Callable[..., Any]) -> None:
    app = db_app()
    sign_in(app)
    session = app.get("/api/auth/session").json
    assert set(session) == {"user", "expires"}
    assert session["user"]["email"] == "alice@example.com"
    assert session["user"]["name"] == "alice" and session["user"]["image"] is None
    # the id authorize returned, as with jwt sessions: switching strategy keeps users' ids
    assert session["user"]["id"] == "app-alice@example.com"
    assert session["expires"].endswith("Z") and len(session["expires"]) == 24
    seen = app.get("/dashboard").json["session"]
    assert seen["user"]["email"] == "alice@example.com"


def test_credentials_sign_in_reuses_the_stored_user(db_app: Callable[..., Any]) -> None:
    first, second = db_app(), db_app()
    sign_in(first)
    sign_in(second)
    one = first.get("/api/auth/session").json["user"]["id"]
    two = second.get("/api/auth/session").json["user"]["id"]
    assert one == two


def test_S_S4_sign_out_deletes_the_row_and_a_copied_cookie_stops_working(
    db_app: Callable[..., Any], store: Any
) -> None:
    app = db_app()
    sign_in(app)
    raw = app.cookies[SESSION]
    thief = db_app()
    thief.set_cookie(SESSION, raw)
    assert thief.get("/api/auth/session").json["user"]["email"] == "alice@example.com"
    token = app.get("/api/auth/csrf").json["csrfToken"]
    response = app.post("/api/auth/signout", {"csrfToken": token})
    assert response.status_int == 302
    assert store.get_session_and_user(hashed(raw)) is None
    assert thief.get("/api/auth/session").json == {}
    assert "/api/auth/signin" in thief.get("/dashboard", status=302).location


def test_S_S1_new_token_at_every_sign_in_and_planted_token_dies(
    db_app: Callable[..., Any], store: Any
) -> None:
    browser = db_app()
    sign_in(browser, "mallory@example.com")
    known = browser.cookies[SESSION]  # planted by the attacker, who keeps a copy
    sign_in(browser)
    assert browser.cookies[SESSION] != known
    assert store.get_session_and_user(hashed(known)) is None
    attacker = db_app()
    attacker.set_cookie(SESSION, known)
    assert attacker.get("/api/auth/session").json == {}
    assert browser.get("/api/auth/session").json["user"]["email"] == "alice@example.com"
    again = browser.cookies[SESSION]
    sign_in(browser)
    assert browser.cookies[SESSION] != again
    assert store.get_session_and_user(hashed(again)) is None


@pytest.mark.parametrize(
    "value",
    [
        "A" * 43,
        "' OR 1=1--",
        "x" * 10_000,
        "%00" + "a" * 40,
        "abc",
        hashlib.sha256(b"x").hexdigest(),
    ],
)
def test_B_C13_S_S3_unknown_or_malformed_tokens_are_anonymous(
    db_app: Callable[..., Any], value: str
) -> None:
    app = db_app()
    app.set_cookie(SESSION, value)
    assert app.get("/api/auth/session").json == {}
    assert app.get("/", status=200).json["session"] is None


def test_update_age_rolls_expiry_at_most_once_per_update_age(
    db_app: Callable[..., Any], store: Any
) -> None:
    start = time.time()
    with time_machine.travel(start, tick=False) as clock:
        # the sliding window alone (the absolute lifetime is pinned in test_S_S5_*)
        app = db_app(session={"max_age": 30 * DAY, "update_age": DAY, "absolute_max_age": None})
        sign_in(app)
        raw = app.cookies[SESSION]
        before = store.get_session_and_user(hashed(raw))[0].expires
        clock.shift(3600)
        response = app.get("/api/auth/session")
        assert not any(SESSION in c for c in response.headers.getall("Set-Cookie"))
        assert store.get_session_and_user(hashed(raw))[0].expires == before
        clock.shift(DAY)
        response = app.get("/dashboard")
        assert any(c.startswith(SESSION) for c in response.headers.getall("Set-Cookie"))
        rolled = store.get_session_and_user(hashed(raw))[0].expires
        assert rolled.timestamp() == pytest.approx(start + 3600 + DAY + 30 * DAY, abs=1)
        clock.shift(60)
        app.get("/api/auth/session")
        assert store.get_session_and_user(hashed(raw))[0].expires == rolled


def test_expired_session_is_anonymous_and_removed(db_app: Callable[..., Any], store: Any) -> None:
    start = time.time()
    with time_machine.travel(start, tick=False) as clock:
        app = db_app(session={"max_age": 3600, "update_age": 3600})
        sign_in(app)
        raw = app.cookies[SESSION]
        clock.shift(3599)
        assert app.get("/api/auth/session").json["user"]["email"] == "alice@example.com"
        clock.shift(1)
        assert app.get("/api/auth/session").json == {}
        assert store.get_session_and_user(hashed(raw)) is None


# PostgreSQL and Redis get the same fifty concurrent sign-ins, through two instances and
# followed by a read storm, in tests/scale/test_two_instances.py.
@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_R_1_fifty_concurrent_sign_ins_through_waitress(
    db_app: Callable[..., Any], store: Any
) -> None:
    from waitress.server import create_server

    app = db_app()
    server = create_server(app.app, host="127.0.0.1", port=0, threads=16)
    stopping = threading.Event()

    def run() -> None:
        try:
            server.run()
        except OSError:  # select() on a socket closed by server.close() below
            if not stopping.is_set():
                raise

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]

    def one(i: int) -> tuple[str, str, str]:
        email = f"user{i}@example.com"
        with requests.Session() as browser:
            token = browser.get(f"{base}/api/auth/csrf", timeout=10).json()["csrfToken"]
            form = {"csrfToken": token, "email": email, "password": f"pw-{email}"}
            browser.post(f"{base}/api/auth/callback/credentials", data=form, allow_redirects=False)
            seen = [
                browser.get(f"{base}/api/auth/session", timeout=10).json()["user"]["email"]
                for _ in range(3)
            ]
            assert set(seen) == {email}
            return email, browser.cookies[SESSION], seen[0]

    try:
        with ThreadPoolExecutor(50) as pool:
            results = list(pool.map(one, range(50)))
    finally:
        stopping.set()
        server.close()
        thread.join(5)
    assert len({cookie for _, cookie, _ in results}) == 50
    assert all(email == seen for email, _, seen in results)
    for email, cookie, _ in results:
        found = store.get_session_and_user(hashed(cookie))
        assert found is not None and found[1].email == email


# -- outages ------------------------------------------------------------------------------


@pytest.fixture(params=["postgres", "redis"])
def relayed(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Any, Relay]]:
    """An adapter talking to the real server through a relay the test can stop."""
    if request.param == "postgres":
        url = service_url("AUTHMW_TEST_POSTGRES_URL", "PostgreSQL")
        relay = Relay(_target(url, 5432))
    else:
        url = service_url("AUTHMW_TEST_REDIS_URL", "Redis")
        relay = Relay(_target(url, 6379))
    relay.start()
    adapter = _build(request.param, tmp_path, _via(url, relay.port), timeout=1)
    yield adapter, relay
    if not relay.running:
        relay.start()
    try:
        _dispose(adapter)
    finally:
        relay.stop()


def signed_in_app(adapter: Any, make_credentials: Callable[..., Any]) -> webtest.TestApp:
    """The test app on *adapter* (no session callback), with alice signed in."""
    auth = Auth(
        secret=SECRET,
        url="http://localhost",
        adapter=adapter,
        providers=[make_credentials(authorize=authorize)],
    )
    app = webtest.TestApp(auth.wrap(_echo, rules=RULES))
    assert sign_in(app).status_int == 302
    return app


def test_R_7_A_NA15_database_stopped_mid_run_fails_closed_then_recovers(
    relayed: tuple[Any, Relay], make_credentials: Callable[..., Any]
) -> None:
    adapter, relay = relayed
    app = signed_in_app(adapter, make_credentials)
    raw = app.cookies[SESSION]
    assert app.get("/dashboard").json["session"]["user"]["email"] == "alice@example.com"

    relay.stop()
    started = time.monotonic()
    down = app.get("/api/auth/session", headers={"Accept": "application/json"}, status=503)
    assert down.json == {"error": "Configuration"}
    # next-auth's client sends no JSON Accept header: JSON all the same, never a redirect
    for accept in ("*/*", "text/html", None):
        headers = {"Accept": accept} if accept else {}
        plain = app.get("/api/auth/session", headers=headers, status=503)
        assert plain.json == {"error": "Configuration"} and plain.headers["Retry-After"] == "5"
    page = app.get("/dashboard", status="*")
    assert page.status_int in (302, 401, 503)  # never 200 (A-NA15)
    api = app.get("/api/me", status="*")
    assert api.status_int in (401, 503)
    assert "Traceback" not in page.text + api.text
    assert app.get("/", status=200).json["session"] is None  # public paths keep working
    assert not any(c.startswith(SESSION) for c in page.headers.getall("Set-Cookie"))
    fresh = sign_in(app, "bob@example.com")
    assert fresh.status_int == 302 and "error=Configuration" in fresh.location
    assert time.monotonic() - started < 20

    relay.start()
    deadline = time.monotonic() + 5
    while True:  # recovery within 5 s, without a restart, same cookie
        response = app.get("/api/auth/session", status="*")
        if response.status_int == 200 and response.json:
            break
        assert time.monotonic() < deadline, "no recovery within 5 s"
        time.sleep(0.2)
    assert app.cookies[SESSION] == raw
    assert response.json["user"]["email"] == "alice@example.com"


def test_R_7_protected_page_answers_503_while_the_store_is_down(
    relayed: tuple[Any, Relay], make_credentials: Callable[..., Any]
) -> None:
    adapter, relay = relayed
    app = signed_in_app(adapter, make_credentials)
    relay.stop()
    down = app.get("/dashboard", status="*")
    assert down.status_int == 503 and down.headers["Retry-After"] == "5"
    assert app.get("/api/me", status="*").status_int == 503


def test_R_7_sign_out_while_down_keeps_the_cookie_and_says_so(
    relayed: tuple[Any, Relay], make_credentials: Callable[..., Any]
) -> None:
    adapter, relay = relayed
    app = signed_in_app(adapter, make_credentials)
    raw = app.cookies[SESSION]
    token = app.get("/api/auth/csrf").json["csrfToken"]
    relay.stop()
    response = app.post("/api/auth/signout", {"csrfToken": token}, status="*")
    assert "error=Configuration" in response.location
    assert app.cookies[SESSION] == raw
    relay.start()
    app.post("/api/auth/signout", {"csrfToken": token}, status=302)
    assert adapter.get_session_and_user(hashed(raw)) is None


def test_R_7_sqlite_locked_database_is_unavailable_then_recovers(
    tmp_path: Path, make_credentials: Callable[..., Any]
) -> None:
    import sqlite3

    path = tmp_path / "locked.sqlite3"
    adapter = SQLAdapter(path, create_tables=True, timeout=0.3)
    auth = Auth(
        secret=SECRET,
        url="http://localhost",
        adapter=adapter,
        providers=[make_credentials(authorize=authorize)],
        # every request writes (no absolute cap to stop the roll): the lock is felt at once
        session={"update_age": 0, "absolute_max_age": None},
    )
    app = webtest.TestApp(auth.wrap(_echo, rules=RULES))
    sign_in(app)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        response = app.get("/api/auth/session", headers={"Accept": "application/json"}, status="*")
        assert response.status_int == 503
        assert app.get("/dashboard", status="*").status_int != 200
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert app.get("/api/auth/session").json["user"]["email"] == "alice@example.com"
    adapter.close()


def test_credentials_reach_the_user_an_email_link_created(
    db_app: Callable[..., Any], store: Any
) -> None:
    """authorize vouches for the address: no OAuthAccountNotLinked, the user keeps its id."""
    from authmw.adapters import NewUser

    first = store.create_user(NewUser(email="carol@example.com", name="Carol"))
    app = db_app()
    response = sign_in(app, "carol@example.com")
    assert "error" not in response.location
    session = app.get("/api/auth/session").json
    assert session["user"]["id"] == first.id
    assert store.get_user_by_account("credentials", "app-carol@example.com").id == first.id


def test_credentials_ids_are_the_same_with_either_strategy(
    db_app: Callable[..., Any], make_app: Callable[..., Any]
) -> None:
    jwt_app = db_app(session={"strategy": "jwt"}, callbacks={})
    sign_in(jwt_app, "dave@example.com")
    jwt_id = jwt_app.get("/api/auth/session").json
    db = db_app()
    sign_in(db, "dave@example.com")
    assert db.get("/api/auth/session").json["user"]["id"] == "app-dave@example.com"
    assert jwt_id["user"]["email"] == "dave@example.com"


def test_S_S5_database_sessions_never_roll_past_the_absolute_lifetime(
    db_app: Callable[..., Any], store: Any
) -> None:
    start = time.time()
    with time_machine.travel(start, tick=False) as clock:
        app = db_app(session={"max_age": 2 * DAY, "update_age": 3600, "absolute_max_age": 3 * DAY})
        sign_in(app)
        raw = app.cookies[SESSION]
        for _ in range(3 * 24 - 1):  # active every hour
            clock.shift(3600)
            assert app.get("/api/auth/session").json["user"]["email"] == "alice@example.com"
        expires = store.get_session_and_user(hashed(raw))[0].expires
        assert expires.timestamp() == pytest.approx(start + 3 * DAY, abs=1)
        clock.shift(3600)
        assert app.get("/api/auth/session").json == {}


def test_S_S4_revoke_user_deletes_every_database_session_of_the_user(
    db_app: Callable[..., Any], store: Any
) -> None:
    first, second, other = db_app(), db_app(), db_app()
    sign_in(first)
    sign_in(second)
    sign_in(other, "mallory@example.com")
    user_id = first.get("/api/auth/session").json["user"]["id"]
    # another worker over the same database, e.g. an admin tool
    auth = Auth(secret=SECRET, url="http://localhost", adapter=store, providers=[])
    auth.revoke_user(user_id)
    assert first.get("/api/auth/session").json == {}
    assert second.get("/api/auth/session").json == {}
    assert other.get("/api/auth/session").json["user"]["email"] == "mallory@example.com"


def test_revoke_user_with_an_adapter_lacking_the_method_fails_clearly(store: Any) -> None:
    from authmw.errors import ConfigurationError

    class Minimal:
        def __getattr__(self, name: str) -> Any:
            if name in ("delete_sessions_of_user", "shared_state"):
                raise AttributeError(name)
            return getattr(store, name)

    auth = Auth(secret=SECRET, url="http://localhost", adapter=Minimal(), providers=[])
    with pytest.raises(ConfigurationError, match="delete_sessions_of_user"):
        auth.revoke_user("someone")
