"""Two app instances sharing one PostgreSQL or Redis database, as two hosts behind a load
balancer: two Auth objects built from the same settings, two real WSGI servers on free ports,
and browsers that switch between them from one request to the next.
"""

from __future__ import annotations

import hashlib
import random
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from typing import Any
from urllib.parse import urlsplit

import requests

from authmw.providers.oidc import OIDCProvider
from tests.providers import idp
from tests.scale.apps import (
    PUBLIC_URL,
    SESSION,
    email_of,
    instance,
    make_auth,
    sign_in,
)


@contextmanager
def two_instances(store: Any, **options: Any) -> Iterator[list[str]]:
    """Two instances over *store*'s database, each with its own Auth and adapter."""
    with ExitStack() as stack:
        yield [stack.enter_context(instance(make_auth(store.adapter(), **options))) for _ in "ab"]


def on(base: str, public_url: str) -> str:
    """*public_url* (the load balancer's address) sent to the instance at *base* instead."""
    parts = urlsplit(public_url)
    return f"{base}{parts.path}?{parts.query}" if parts.query else f"{base}{parts.path}"


def hashed(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def session_rows(adapter: Any, user_id: str) -> int:
    """How many stored sessions *user_id* has."""
    if hasattr(adapter, "sessions"):
        import sqlalchemy as sa

        query = sa.select(sa.func.count()).where(adapter.sessions.c.user_id == user_id)
        with adapter.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())
    return int(adapter.client.zcard(adapter._key("user_sessions", user_id)))


def test_oauth_sign_in_started_on_one_instance_finishes_on_the_other(
    shared_store: Any, op: Any
) -> None:
    """The state, PKCE and nonce travel in the browser's cookies, sealed with the shared secret:
    the instance that finishes the flow needs nothing of the one that started it."""
    oidc = OIDCProvider(
        id="oidc",
        name="Test OP",
        issuer=op.issuer,
        allow_loopback_http=True,
        client_id=idp.CLIENT_ID,
        client_secret=idp.CLIENT_SECRET,
        timeout=2,
    )
    with two_instances(shared_store, providers=[oidc]) as (a, b), requests.Session() as browser:
        token = browser.get(f"{a}/api/auth/csrf", timeout=10).json()["csrfToken"]
        started = browser.post(
            f"{a}/api/auth/signin/oidc",
            data={"csrfToken": token, "callbackUrl": "/dashboard"},
            allow_redirects=False,
            timeout=10,
        )
        assert started.status_code == 302
        consent = requests.get(started.headers["Location"], allow_redirects=False, timeout=10)
        callback = consent.headers["Location"]
        assert callback.startswith(f"{PUBLIC_URL}/api/auth/callback/oidc?")
        finished = browser.get(on(b, callback), allow_redirects=False, timeout=10)
        assert finished.status_code == 302, finished.text[:300]
        assert finished.headers["Location"] == f"{PUBLIC_URL}/dashboard"
        assert email_of(browser, a) == email_of(browser, b) == "ada@example.com"
    adapter = shared_store.made[0]
    user = adapter.get_user_by_account("oidc", op.sub)
    assert user is not None and user.email == "ada@example.com"
    assert session_rows(adapter, user.id) == 1


def test_session_created_on_one_instance_is_read_and_ended_on_the_other(
    shared_store: Any,
) -> None:
    with two_instances(shared_store) as (a, b), requests.Session() as browser:
        assert sign_in(browser, a, "alice@example.com").status_code == 302
        assert email_of(browser, b) == "alice@example.com"
        assert browser.get(f"{b}/dashboard", timeout=10).status_code == 200
        token = browser.get(f"{b}/api/auth/csrf", timeout=10).json()["csrfToken"]
        ended = browser.post(
            f"{b}/api/auth/signout", data={"csrfToken": token}, allow_redirects=False, timeout=10
        )
        assert ended.status_code == 302
        assert email_of(browser, a) is None


def test_R_4_twenty_threads_rolling_one_session_on_two_instances_leave_one_row(
    shared_store: Any,
) -> None:
    """``update_age=0``: every read extends the session, so 20 reads at once are 20 writes of
    one row through two instances."""
    with two_instances(shared_store, session={"update_age": 0, "absolute_max_age": None}) as bases:
        with requests.Session() as browser:
            assert sign_in(browser, bases[0], "alice@example.com").status_code == 302
            raw = browser.cookies[SESSION]
        adapter = shared_store.made[0]
        before, user = adapter.get_session_and_user(hashed(raw))
        start = threading.Barrier(20)

        def read(i: int) -> requests.Response:
            start.wait(10)
            return requests.get(
                f"{bases[i % 2]}/api/auth/session", cookies={SESSION: raw}, timeout=20
            )

        with ThreadPoolExecutor(20) as pool:
            answers = list(pool.map(read, range(20)))
    for answer in answers:
        assert answer.status_code == 200
        assert answer.json()["user"]["email"] == "alice@example.com"
    rolled = [answer.cookies.get(SESSION) for answer in answers]
    assert set(rolled) <= {None, raw} and raw in rolled  # extended, never another token
    after, same_user = adapter.get_session_and_user(hashed(raw))
    assert same_user.id == user.id and after.user_id == user.id
    assert after.expires >= before.expires
    assert session_rows(adapter, user.id) == 1


def test_R_1_concurrent_sign_ins_then_a_read_storm_over_two_instances_never_mix_users(
    shared_store: Any,
) -> None:
    users = 50
    with two_instances(shared_store) as bases:

        def signed_in(i: int) -> tuple[str, str]:
            email = f"user{i}@example.com"
            with requests.Session() as browser:
                assert sign_in(browser, bases[i % 2], email).status_code == 302
                return email, browser.cookies[SESSION]

        with ThreadPoolExecutor(users) as pool:
            sessions = list(pool.map(signed_in, range(users)))
        assert len({raw for _, raw in sessions}) == users  # 50 distinct sessions

        picks = random.Random(12).choices(range(users), k=400)

        def read(n: int) -> tuple[str, str | None]:
            email, raw = sessions[picks[n]]
            base = bases[n % 2]
            if n % 3:
                answer = requests.get(
                    f"{base}/api/auth/session", cookies={SESSION: raw}, timeout=20
                )
                assert answer.status_code == 200
                return email, answer.json()["user"]["email"]
            page = requests.get(f"{base}/dashboard", cookies={SESSION: raw}, timeout=20)
            assert page.status_code == 200
            return email, page.json()["session"]["user"]["email"]

        with ThreadPoolExecutor(16) as pool:
            seen = list(pool.map(read, range(len(picks))))
    mixed = [(expected, got) for expected, got in seen if expected != got]
    assert mixed == []
