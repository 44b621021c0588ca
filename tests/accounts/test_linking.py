"""Account linking (authmw.accounts.linking) through the WSGI stack on a real SQLite file.

The identity provider is a minimal :class:`Provider` whose callback reads the profile from the
query string: linking only depends on what ``finish`` returns, and the OAuth flows themselves
are tested in tests/flows/.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, ClassVar

import pytest
import sqlalchemy as sa
import webtest

from authmw import Auth, Provider, SignInResult
from authmw.adapters.sql import SQLAdapter
from authmw.providers.base import ProviderType

SECRET = "u" * 32 + "-account-linking"
NOT_LINKED = "http://localhost/api/auth/signin?error=OAuthAccountNotLinked"


class ProfileProvider(Provider):
    """Signs in whoever the callback's query names: ``?sub=&email=&email_verified=``."""

    type: ClassVar[ProviderType] = "oauth"

    def __init__(self, id: str, *, dangerous: bool = False) -> None:
        super().__init__(id=id, name=id.title())
        self.allow_dangerous_email_account_linking = dangerous

    def finish(self, ctx: Any) -> SignInResult:
        q = ctx.query
        profile = {"sub": q["sub"], "email": q.get("email"), "name": q.get("name", "Pat")}
        if "email_verified" in q:
            profile["email_verified"] = q["email_verified"] == "true"
        user = {"id": q["sub"], "name": profile["name"], "email": profile["email"], "image": None}
        account = {"provider": self.id, "type": "oauth", "providerAccountId": q["sub"]}
        account["access_token"] = "at-" + q["sub"]
        return SignInResult(user=user, account=account, profile=profile)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLAdapter]:
    adapter = SQLAdapter(tmp_path / "users.sqlite3", create_tables=True)
    yield adapter
    adapter.close()


@pytest.fixture
def events() -> list[tuple[str, dict[str, Any]]]:
    return []


@pytest.fixture
def make(
    store: SQLAdapter, events: list[tuple[str, dict[str, Any]]], make_credentials: Any
) -> Callable[..., webtest.TestApp]:
    def factory(**options: Any) -> webtest.TestApp:
        def recorder(name: str) -> Callable[..., None]:
            return lambda **kw: events.append((name, kw))

        settings: dict[str, Any] = {
            "secret": SECRET,
            "url": "http://localhost",
            "adapter": store,
            "providers": [
                ProfileProvider("alpha"),
                ProfileProvider("beta"),
                ProfileProvider("trusting", dangerous=True),
                make_credentials(),
            ],
            "events": {n: recorder(n) for n in ("create_user", "link_account", "update_user")},
            "callbacks": {
                "session": lambda session, user=None, token=None: _with_id(session, user, token)
            },
            **options,
        }
        return webtest.TestApp(Auth(**settings).wrap(_ok))

    return factory


def _with_id(session: dict[str, Any], user: Any, token: Any) -> dict[str, Any]:
    session["user"]["id"] = user["id"] if user else (token or {}).get("sub")
    return session


def _ok(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def login(app: webtest.TestApp, provider: str, **profile: str) -> webtest.TestResponse:
    return app.get(f"/api/auth/callback/{provider}", params=profile, status="*")


def me(app: webtest.TestApp) -> str | None:
    session = app.get("/api/auth/session").json
    return session["user"]["id"] if session else None


def rows(store: SQLAdapter, table: sa.Table) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


@pytest.mark.parametrize("strategy", ["database", "jwt"])
def test_new_account_creates_user_then_known_account_finds_it(
    make: Callable[..., webtest.TestApp],
    store: SQLAdapter,
    events: list[tuple[str, dict[str, Any]]],
    strategy: str,
) -> None:
    app = make(session={"strategy": strategy}, pages={"new_user": "/welcome"})
    first = login(app, "alpha", sub="A1", email="Pat@Example.com")
    assert first.location.startswith("http://localhost/welcome")
    user_id = me(app)
    assert [name for name, _ in events] == ["create_user", "link_account"]
    stored = store.get_user_by_account("alpha", "A1")
    assert stored is not None and stored.id == user_id and stored.email == "pat@example.com"
    other = make(session={"strategy": strategy}, pages={"new_user": "/welcome"})
    assert login(other, "alpha", sub="A1").location == "http://localhost"
    assert me(other) == user_id
    assert rows(store, store.users) == 1 and rows(store, store.accounts) == 1


@pytest.mark.parametrize("strategy", ["database", "jwt"])
def test_signed_in_user_links_a_new_account(
    make: Callable[..., webtest.TestApp], store: SQLAdapter, strategy: str
) -> None:
    app = make(session={"strategy": strategy})
    login(app, "alpha", sub="A1", email="pat@example.com")
    user_id = me(app)
    login(app, "beta", sub="B1", email="someone-else@example.com")
    assert me(app) == user_id
    linked = store.get_user_by_account("beta", "B1")
    assert linked is not None and linked.id == user_id
    fresh = make(session={"strategy": strategy})
    login(fresh, "beta", sub="B1")
    assert me(fresh) == user_id


def test_known_account_of_another_user_while_signed_in_is_not_linked(
    make: Callable[..., webtest.TestApp],
) -> None:
    app = make()
    login(app, "beta", sub="B1", email="b@example.com")
    other = make()
    login(other, "alpha", sub="A1", email="a@example.com")
    assert login(other, "beta", sub="B1").location == NOT_LINKED


def test_P_E2_same_email_from_another_provider_is_not_linked(
    make: Callable[..., webtest.TestApp], store: SQLAdapter
) -> None:
    login(make(), "alpha", sub="A1", email="pat@example.com")
    response = login(make(), "beta", sub="B1", email="PAT@example.com", email_verified="true")
    assert response.location == NOT_LINKED
    assert store.get_user_by_account("beta", "B1") is None
    assert rows(store, store.users) == 1


def test_P_E3_dangerous_linking_needs_a_verified_email(
    make: Callable[..., webtest.TestApp], store: SQLAdapter
) -> None:
    owner = make()
    login(owner, "alpha", sub="A1", email="pat@example.com")
    owner_id = me(owner)
    unverified = make()
    assert login(unverified, "trusting", sub="T1", email="pat@example.com").location == NOT_LINKED
    response = login(unverified, "trusting", sub="T1", email="pat@example.com",
                     email_verified="false")  # fmt: skip
    assert response.location == NOT_LINKED
    verified = make()
    login(verified, "trusting", sub="T1", email="pat@example.com", email_verified="true")
    assert me(verified) == owner_id
    assert store.get_user_by_account("trusting", "T1").id == owner_id  # type: ignore[union-attr]


def test_A_PS1_account_ids_are_case_sensitive(
    make: Callable[..., webtest.TestApp], store: SQLAdapter
) -> None:
    one, two = make(), make()
    login(one, "alpha", sub="AbC")
    login(two, "alpha", sub="abc")
    assert me(one) != me(two)
    assert rows(store, store.users) == 2


def test_account_tokens_are_stored(make: Callable[..., webtest.TestApp], store: SQLAdapter) -> None:
    login(make(), "alpha", sub="A1")
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(store.accounts)).one()
    assert row.access_token == "at-A1" and row.type == "oauth"


@pytest.mark.parametrize("email", ["race@example.com", None])
def test_R_2_concurrent_first_sign_ins_make_one_user(
    make: Callable[..., webtest.TestApp], store: SQLAdapter, email: str | None
) -> None:
    app = make()
    barrier = threading.Barrier(20)
    params = {"sub": "R1", **({"email": email} if email else {})}

    def attempt(_: int) -> tuple[int, str | None]:
        browser = webtest.TestApp(app.app)
        barrier.wait(timeout=10)
        response = login(browser, "alpha", **params)
        return response.status_int, me(browser)

    with ThreadPoolExecutor(20) as pool:
        outcomes = list(pool.map(attempt, range(20)))
    assert rows(store, store.users) == 1 and rows(store, store.accounts) == 1
    signed_in = {user for _, user in outcomes if user}
    assert signed_in == {store.get_user_by_account("alpha", "R1").id}  # type: ignore[union-attr]
    assert all(status == 302 for status, _ in outcomes)


def test_credentials_with_database_sessions_store_one_user(
    make: Callable[..., webtest.TestApp], store: SQLAdapter, sign_in: Any
) -> None:
    first, second = make(), make()
    sign_in(first)
    sign_in(second)
    assert me(first) == me(second)
    user = store.get_user_by_account("credentials", "1")
    assert user is not None and user.email == "alice@example.com"
    assert rows(store, store.users) == 1


def test_credentials_with_jwt_sessions_do_not_touch_the_database(
    make: Callable[..., webtest.TestApp], store: SQLAdapter, sign_in: Any
) -> None:
    app = make(session={"strategy": "jwt"})
    sign_in(app)
    assert me(app) == "1"
    assert rows(store, store.users) == 0


def test_credentials_reach_the_user_with_that_email_whoever_created_it(
    make: Callable[..., webtest.TestApp], store: SQLAdapter, sign_in: Any
) -> None:
    """The app's authorize vouches for the address (issue 10); OAuth linking is unchanged."""
    oauth = make()
    login(oauth, "alpha", sub="A1", email="alice@example.com")
    response = sign_in(make())
    assert response.location != NOT_LINKED and "error" not in response.location
    owner = store.get_user_by_email("alice@example.com")
    assert owner is not None
    assert store.get_user_by_account("credentials", "1") == owner
    assert rows(store, store.users) == 1


def test_database_down_during_linking_is_a_503_configuration_error(
    tmp_path: Path, make_credentials: Any
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    dead = SQLAdapter(blocker / "db.sqlite3", timeout=0.2)
    auth = Auth(secret=SECRET, url="http://localhost", adapter=dead,
                providers=[ProfileProvider("alpha")])  # fmt: skip
    app = webtest.TestApp(auth.wrap(_ok))
    response = app.get("/api/auth/callback/alpha", params={"sub": "A1"},
                       headers={"Accept": "application/json"}, status=503)  # fmt: skip
    assert response.json == {"error": "Configuration"}
    dead.close()
