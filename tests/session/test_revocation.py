"""JWT sessions end for good (S-S4) and within an absolute lifetime (S-S5), on every worker.

Two ``Auth`` instances over one adapter stand for two workers: what one revokes, the other
refuses. Without an adapter the list is in-process (one ``Auth`` only).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
import webtest

from authmw import Auth, get_token
from authmw.state import MemoryState
from tests.flows.test_database_sessions import live_store

SESSION = "authmw.session-token"
DAY = 24 * 3600


@pytest.fixture(params=["memory", "sqlite", "postgres", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """No adapter (in-process list), or a live adapter of each kind, emptied afterwards."""
    if request.param == "memory":
        yield None
        return
    yield from live_store(request.param, tmp_path)


@pytest.fixture
def workers(store: Any, make_auth: Callable[..., Auth]) -> Callable[..., tuple[Auth, Auth]]:
    """Two "workers": two Auth instances sharing the store (one instance without a store)."""

    def build(**session: Any) -> tuple[Auth, Auth]:
        options: dict[str, Any] = {"session": {"strategy": "jwt", **session}}
        if store is None:
            auth = make_auth(**options)
            return auth, auth
        return make_auth(adapter=store, **options), make_auth(adapter=store, **options)

    return build


def browser(auth: Auth) -> webtest.TestApp:
    from tests.conftest import echo_app

    return webtest.TestApp(auth.wrap(echo_app))


def signed_in(auth: Auth, sign_in: Callable[..., Any]) -> webtest.TestApp:
    app = browser(auth)
    sign_in(app)
    assert app.get("/api/auth/session").json["user"]["email"]
    return app


def copy_of(app: webtest.TestApp, auth: Auth) -> webtest.TestApp:
    thief = browser(auth)
    thief.set_cookie(SESSION, app.cookies[SESSION])
    return thief


def sign_out(app: webtest.TestApp, csrf_token: Callable[..., str]) -> None:
    response = app.post("/api/auth/signout", {"csrfToken": csrf_token(app)})
    assert response.status_int == 302


def test_S_S4_sign_out_revokes_a_copied_jwt_on_every_worker(
    workers: Callable[..., tuple[Auth, Auth]],
    sign_in: Callable[..., Any],
    csrf_token: Callable[..., str],
) -> None:
    one, two = workers()
    app = signed_in(one, sign_in)
    thief = copy_of(app, two)
    assert thief.get("/api/auth/session").json["user"]["email"]
    sign_out(app, csrf_token)
    response = thief.get("/api/auth/session")
    assert response.json == {}
    cleared = [c for c in response.headers.getall("Set-Cookie") if c.startswith(SESSION)]
    assert cleared and all("Max-Age=0" in c for c in cleared)
    assert thief.get("/").json["session"] is None


def test_S_S4_a_copy_taken_before_a_roll_dies_with_its_rolled_successor(
    workers: Callable[..., tuple[Auth, Auth]],
    sign_in: Callable[..., Any],
    csrf_token: Callable[..., str],
) -> None:
    start = time.time()
    with time_machine.travel(start, tick=False) as clock:
        one, two = workers(max_age=7 * DAY, update_age=DAY, absolute_max_age=None)
        app = signed_in(one, sign_in)
        old = app.cookies[SESSION]
        clock.shift(2 * DAY)
        app.get("/api/auth/session")  # rolled: a new cookie with the same jti
        assert app.cookies[SESSION] != old
        thief = browser(two)
        thief.set_cookie(SESSION, old)
        assert thief.get("/").json["session"] is not None
        sign_out(app, csrf_token)  # presents the rolled cookie
        assert thief.get("/api/auth/session").json == {}


def test_S_S4_sign_out_from_app_code_revokes_the_token(
    workers: Callable[..., tuple[Auth, Auth]], sign_in: Callable[..., Any]
) -> None:
    one, two = workers()
    app = signed_in(one, sign_in)
    thief = copy_of(app, two)
    environ = {"HTTP_COOKIE": f"{SESSION}={app.cookies[SESSION]}", "wsgi.url_scheme": "http"}
    environ.update({"HTTP_HOST": "localhost", "PATH_INFO": "/", "REQUEST_METHOD": "POST"})
    headers = one.sign_out(environ)
    assert any(value.startswith(SESSION) for _, value in headers)
    assert thief.get("/api/auth/session").json == {}


def test_S_S4_revoked_entries_expire_with_the_tokens_they_list(
    sign_in: Callable[..., Any], csrf_token: Callable[..., str], make_auth: Callable[..., Auth]
) -> None:
    state = MemoryState()
    start = time.time()
    with time_machine.travel(start, tick=False) as clock:
        auth = make_auth(session={"max_age": 3600, "update_age": 3600, "absolute_max_age": None})
        auth.strategy.revocations.state = state  # type: ignore[attr-defined]
        app = signed_in(auth, sign_in)
        jti = auth.realm({"HTTP_HOST": "localhost"}).session_codec.decode(app.cookies[SESSION])
        assert jti is not None
        sign_out(app, csrf_token)
        key = f"revoked:jti:{jti['jti']}"
        assert state.has_marker(key)
        clock.shift(3600 + 16)  # the token's exp (+ clock leeway): the entry is gone
        assert not state.has_marker(key)


def test_S_S4_revoke_user_ends_every_jwt_session_signed_in_before(
    workers: Callable[..., tuple[Auth, Auth]], sign_in: Callable[..., Any]
) -> None:
    start = time.time()
    with time_machine.travel(start, tick=False) as clock:
        one, two = workers()
        first, second = signed_in(one, sign_in), signed_in(two, sign_in)
        user_id = (
            first.get("/").json["session"]
            and one.realm({}).session_codec.decode(first.cookies[SESSION])["sub"]
        )  # type: ignore[index]
        one.revoke_user(user_id)
        assert first.get("/api/auth/session").json == {}
        assert second.get("/api/auth/session").json == {}
        clock.shift(2)
        again = signed_in(two, sign_in)  # a later sign-in is not affected
        assert again.get("/").json["session"] is not None


def test_S_S5_absolute_lifetime_is_not_extended_by_rolling(
    workers: Callable[..., tuple[Auth, Auth]], sign_in: Callable[..., Any]
) -> None:
    start = time.time()
    with time_machine.travel(start, tick=False) as clock:
        one, _ = workers(max_age=2 * DAY, update_age=3600, absolute_max_age=3 * DAY)
        app = signed_in(one, sign_in)
        first = one.realm({}).session_codec.decode(app.cookies[SESSION])
        assert first is not None and first["auth_time"] == int(start)
        for _ in range(3 * 24 - 1):  # active every hour: rolled again and again
            clock.shift(3600)
            assert app.get("/api/auth/session").json["user"]["email"]
        rolled = one.realm({}).session_codec.decode(app.cookies[SESSION])
        assert rolled is not None and rolled["auth_time"] == int(start)  # never moves
        assert rolled["exp"] <= int(start) + 3 * DAY
        clock.shift(3600)
        assert app.get("/api/auth/session").json == {}


def test_S_S5_idle_timeout_still_applies(
    make_auth: Callable[..., Auth], sign_in: Callable[..., Any]
) -> None:
    start = time.time()
    with time_machine.travel(start, tick=False) as clock:
        auth = make_auth(session={"max_age": 3600, "update_age": 60, "absolute_max_age": DAY})
        app = signed_in(auth, sign_in)
        clock.shift(3600 + 16)
        assert app.get("/api/auth/session").json == {}


def test_S_S5_a_nextjs_token_without_auth_time_counts_from_its_iat(
    make_auth: Callable[..., Auth],
) -> None:
    start = time.time()
    with time_machine.travel(start, tick=False) as clock:
        auth = make_auth(session={"max_age": DAY, "update_age": 0, "absolute_max_age": DAY})
        codec = auth.realm({}).session_codec
        app = browser(auth)
        minted = int(start) - DAY // 2  # by Next.js, half a day ago, without auth_time
        token = codec.encode({"sub": "next", "name": "N"}, max_age=2 * DAY, now=minted)
        app.set_cookie(SESSION, token)
        assert app.get("/api/auth/session").json["user"]["name"] == "N"
        rolled = codec.decode(app.cookies[SESSION])
        assert rolled is not None and rolled["auth_time"] == minted
        assert minted + DAY - 1 <= rolled["exp"] <= minted + DAY
        clock.shift(DAY // 2)
        assert app.get("/api/auth/session").json == {}


def test_S_S5_absolute_max_age_is_validated() -> None:
    from authmw import SessionOptions
    from authmw.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="absolute_max_age"):
        SessionOptions(max_age=2 * DAY, absolute_max_age=DAY)
    with pytest.raises(ConfigurationError, match="absolute_max_age"):
        SessionOptions(absolute_max_age="30d")  # type: ignore[arg-type]
    assert SessionOptions(absolute_max_age=None).absolute_max_age is None
    assert SessionOptions().absolute_max_age == 30 * DAY


def bearer_reader(auth: Auth) -> webtest.TestApp:
    """An app that answers with ``get_token(environ)`` (no cookie: the bearer fallback)."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(get_token(environ)).encode()]

    return webtest.TestApp(auth.wrap(app))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_S_S4_get_token_refuses_a_revoked_bearer_token_on_every_worker(
    workers: Callable[..., tuple[Auth, Auth]],
    sign_in: Callable[..., Any],
    csrf_token: Callable[..., str],
) -> None:
    one, two = workers()
    app = signed_in(one, sign_in)
    token = app.cookies[SESSION]
    api = bearer_reader(two)
    assert api.get("/", headers=bearer(token)).json["email"] == "alice@example.com"
    sign_out(app, csrf_token)
    assert api.get("/", headers=bearer(token)).json is None
    assert bearer_reader(one).get("/", headers=bearer(token)).json is None


def test_S_S5_get_token_refuses_a_bearer_token_past_the_absolute_lifetime(
    workers: Callable[..., tuple[Auth, Auth]],
) -> None:
    """Unexpired, but signed in longer ago than the absolute lifetime: refused as a cookie is."""
    one, _ = workers(max_age=DAY, update_age=3600, absolute_max_age=DAY)
    codec = one.realm({}).session_codec
    now = int(time.time())
    fresh = codec.encode({"sub": "1", "auth_time": now - 60}, max_age=3600)
    stale = codec.encode({"sub": "1", "auth_time": now - DAY - 60}, max_age=3600)
    api = bearer_reader(one)
    assert api.get("/", headers=bearer(fresh)).json["sub"] == "1"
    assert api.get("/", headers=bearer(stale)).json is None
    page = browser(one)
    page.set_cookie(SESSION, stale)
    assert page.get("/").json["session"] is None  # the cookie path decides the same


def test_S_S4_get_token_bearer_is_none_with_database_sessions(
    make_auth: Callable[..., Auth], tmp_path: Path
) -> None:
    """Database sessions are not tokens: a sealed JWT sent as a bearer names no session."""
    from authmw.adapters.sql import SQLAdapter

    adapter = SQLAdapter(f"sqlite:///{tmp_path}/db.sqlite3", create_tables=True)
    auth = make_auth(adapter=adapter, session={"strategy": "database"})
    token = auth.realm({}).session_codec.encode({"sub": "1"}, max_age=3600)
    assert bearer_reader(auth).get("/", headers=bearer(token)).json is None
    adapter.close()


def test_S_S4_get_token_bearer_is_none_while_the_store_is_down(
    make_auth: Callable[..., Auth],
) -> None:
    """The revocation list cannot be asked: refused (fail closed), not a 500."""
    from authmw.adapters.base import AdapterUnavailable

    class DownState(MemoryState):
        def ever_written(self, family: str) -> bool:
            return True  # something was revoked: the list must be asked

        def any_marker(self, keys: Any) -> bool:
            raise AdapterUnavailable("down")

    class DownStore:  # an adapter whose shared state is down
        shared_state = DownState()

    auth = make_auth(adapter=DownStore(), session={"strategy": "jwt"})
    token = auth.realm({}).session_codec.encode({"sub": "1"}, max_age=3600)
    assert bearer_reader(auth).get("/", headers=bearer(token)).json is None
