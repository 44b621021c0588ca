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

import pytest
import requests

from authmw import Auth, CredentialsProvider
from authmw.mail import SMTPSender
from authmw.providers.email import EmailProvider
from authmw.providers.oidc import OIDCProvider
from tests.providers import idp
from tests.scale.apps import (
    FIELDS,
    PUBLIC_URL,
    SESSION,
    authorize,
    email_of,
    instance,
    make_auth,
    sign_in,
    sign_out,
)
from tests.support import smtp_capture


@contextmanager
def serving(auths: list[Auth]) -> Iterator[list[str]]:
    """Each of *auths* behind a real WSGI server of its own; yields their base URLs."""
    with ExitStack() as stack:
        yield [stack.enter_context(instance(auth)) for auth in auths]


@contextmanager
def two_instances(store: Any, **options: Any) -> Iterator[list[str]]:
    """Two instances over *store*'s database, each with its own Auth and adapter."""
    with serving([make_auth(store.adapter(), **options) for _ in "ab"]) as bases:
        yield bases


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
        sign_out(browser, b)
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


def copied(base: str, raw: str, path: str = "/api/auth/session") -> requests.Response:
    """*path* on *base* with a copy of session cookie *raw* (another browser, same cookie)."""
    return requests.get(f"{base}{path}", cookies={SESSION: raw}, allow_redirects=False, timeout=10)


@pytest.mark.parametrize("strategy", ["jwt", "database"])
def test_S_S4_sign_out_on_one_instance_revokes_the_cookie_on_the_other(
    shared_store: Any, strategy: str
) -> None:
    """A copy of the cookie, taken before sign-out, stops working on both instances: the row
    is deleted (database) or the token's ``jti`` is on the shared revocation list (jwt)."""
    with two_instances(shared_store, session={"strategy": strategy}) as (a, b):
        with requests.Session() as browser:
            assert sign_in(browser, a, "alice@example.com").status_code == 302
            raw = browser.cookies[SESSION]
            assert copied(b, raw).json()["user"]["email"] == "alice@example.com"
            sign_out(browser, a)
        for base in (b, a):
            assert copied(base, raw).json() == {}
            assert copied(base, raw, "/dashboard").status_code == 302  # to the sign-in page


def test_S_S4_a_revoked_token_is_not_served_from_the_decrypted_token_cache(
    shared_store: Any,
) -> None:
    """Instance A keeps the decrypted token in its per-process cache; after a sign-out on B,
    A refuses it: the cache holds decryptions, the revocation list is asked on every read."""
    auths = [make_auth(shared_store.adapter(), session={"strategy": "jwt"}) for _ in "ab"]
    with serving(auths) as (a, b), requests.Session() as browser:
        assert sign_in(browser, b, "alice@example.com").status_code == 302
        raw = browser.cookies[SESSION]
        assert copied(a, raw).json()["user"]["email"] == "alice@example.com"
        assert raw in auths[0].realm({}).session_codec._cache  # cached on A
        sign_out(browser, b)
        assert copied(a, raw).json() == {}
        assert copied(a, raw, "/api/private").status_code == 401


class Counting:
    """``authorize`` counting the calls that reach it, from every server thread."""

    def __init__(self) -> None:
        self.calls = 0
        self.lock = threading.Lock()

    def __call__(self, credentials: dict[str, str], request: Any) -> dict[str, Any] | None:
        with self.lock:
            self.calls += 1
        return authorize(credentials, request)


THROTTLED = f"{PUBLIC_URL}/api/auth/signin?error=TooManyRequests&retryAfter="


def test_S_A5_a_brute_force_spread_over_two_instances_is_throttled_as_one(
    shared_store: Any,
) -> None:
    """Wrong passwords alternate between the instances; after the per-account limit (6 here)
    both refuse, the right password included, without calling ``authorize``."""
    counting = Counting()
    auths = [
        make_auth(
            shared_store.adapter(),
            providers=[CredentialsProvider(authorize=counting, credentials=FIELDS)],
            rate_limits={"credentials_per_account": "6/15 minutes"},
        )
        for _ in "ab"
    ]
    with serving(auths) as bases, requests.Session() as browser:
        wrong = [sign_in(browser, bases[i % 2], "eve@example.com", "guess") for i in range(10)]
        right = [sign_in(browser, base, "eve@example.com") for base in bases]
        assert SESSION not in browser.cookies
    refused = f"{PUBLIC_URL}/api/auth/signin?error=CredentialsSignin"
    assert [answer.headers["Location"] for answer in wrong[:6]] == [refused] * 6
    for answer in wrong[6:] + right:
        assert answer.status_code == 302 and answer.headers["Location"].startswith(THROTTLED)
    assert counting.calls == 6


def test_S_A5_a_magic_link_flood_spread_over_two_instances_is_throttled_as_one(
    shared_store: Any,
) -> None:
    """Eight requests for one address over both instances: five e-mails (the default
    ``email_per_address``), then both refuse."""
    with smtp_capture() as (inbox, port):
        auths = [
            make_auth(
                shared_store.adapter(),
                providers=[
                    EmailProvider(sender=SMTPSender.from_url(f"smtp://127.0.0.1:{port}", timeout=2))
                ],
            )
            for _ in "ab"
        ]
        with serving(auths) as bases, requests.Session() as browser:
            answers = []
            for i in range(8):
                base = bases[i % 2]
                token = browser.get(f"{base}/api/auth/csrf", timeout=10).json()["csrfToken"]
                form = {"csrfToken": token, "email": "carol@example.com"}
                url = f"{base}/api/auth/signin/email"
                answers.append(browser.post(url, data=form, allow_redirects=False, timeout=10))
        inbox.wait(5)
    sent = f"{PUBLIC_URL}/api/auth/verify-request?provider=email&type=email"
    assert [answer.headers["Location"] for answer in answers[:5]] == [sent] * 5
    assert all(answer.headers["Location"].startswith(THROTTLED) for answer in answers[5:])
    assert len(inbox.messages) == 5
