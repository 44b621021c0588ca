"""The session is read once per request, by the session middleware; the endpoints reuse it."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
import webtest

from authmw.accounts.linking import AccountLinking
from authmw.adapters import User
from authmw.adapters.sql import SQLAdapter
from authmw.callbacks import Events
from authmw.session.model import Session
from authmw.session.strategy import LoadedSession
from tests.support import sign_in


class Counting:
    """Wraps an adapter and counts ``get_session_and_user`` / ``load_session`` calls."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.session_reads = 0

    def get_session_and_user(self, token: str) -> Any:
        self.session_reads += 1
        return self.inner.get_session_and_user(token)

    def load_session(self, token: str, state_key: str | None = None) -> Any:
        self.session_reads += 1
        return self.inner.load_session(token, state_key)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.fixture
def counting(make_auth: Any) -> tuple[webtest.TestApp, Counting]:
    adapter = Counting(SQLAdapter("sqlite://", create_tables=True))
    auth = make_auth(adapter=adapter, callbacks={})
    return webtest.TestApp(auth.wrap(lambda e, s: [s("200 OK", []) or b""])), adapter


def test_session_endpoint_reads_the_database_session_once(counting: Any) -> None:
    app, adapter = counting
    sign_in(app)
    adapter.session_reads = 0
    assert app.get("/api/auth/session").json["user"]["email"] == "alice@example.com"
    assert adapter.session_reads == 1


def test_account_linking_reuses_the_loaded_user() -> None:
    """The signed-in user of a database session comes with the session: no second read."""
    adapter = Counting(None)
    linking = AccountLinking(adapter=adapter, events=Events(), database_sessions=True)
    record = {"id": "u1", "name": "A", "email": "a@x", "email_verified": None, "image": None}
    loaded = LoadedSession(Session({"user": {}}), None, record)
    ctx = SimpleNamespace(loaded_session=loaded, session=loaded.session)
    assert linking._current_user(ctx) == User(**record)  # type: ignore[arg-type]
    assert adapter.session_reads == 0


def test_jwt_session_endpoint_decodes_once(make_auth: Any, monkeypatch: Any) -> None:
    auth = make_auth()
    app = webtest.TestApp(auth.wrap(lambda e, s: [s("200 OK", []) or b""]))
    sign_in(app)
    calls: list[str] = []
    load = auth.strategy.load
    monkeypatch.setattr(
        auth.strategy, "load", lambda *a, **k: calls.append("load") or load(*a, **k)
    )
    assert app.get("/api/auth/session").json["user"]["email"] == "alice@example.com"
    assert calls == ["load"]


def test_session_endpoint_without_a_session_is_empty(make_auth: Any) -> None:
    app = webtest.TestApp(make_auth().wrap(lambda e, s: [s("200 OK", []) or b""]))
    app.set_cookie("authmw.session-token", "garbage")
    response = app.get("/api/auth/session")
    assert response.json == {}
    assert "authmw.session-token=;" in response.headers["Set-Cookie"]  # the bad cookie cleared
