"""Throttling of credentials and e-mail sign-ins (S-A5, A-DA6, A-DA7, A-DA11, B-H4), end to end:
two Auth instances over one real SQLite, PostgreSQL or Redis database count as one."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
import webtest

from authmw import Auth, ConfigurationError
from authmw.adapters.redis import RedisAdapter
from authmw.adapters.sql import SQLAdapter
from authmw.mail import SMTPSender
from authmw.providers.email import EmailProvider
from authmw.throttle import client_address
from tests.conftest import SECRET, authorize, credentials_provider
from tests.support import PASSWORDS, csrf_token, sign_in, smtp_capture

THROTTLED = "http://localhost/api/auth/signin?error=TooManyRequests&retryAfter="
ALICE, BOB = "alice@example.com", "admin@example.com"


class Counting:
    """The test ``authorize``, counting the calls that reach it."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, credentials: dict[str, str], request: Any) -> dict[str, Any] | None:
        self.calls += 1
        return authorize(credentials, request)


def _echo(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def make(adapter: Any = None, **options: Any) -> webtest.TestApp:
    options.setdefault("providers", [credentials_provider()])
    auth = Auth(secret=SECRET, url="http://localhost", adapter=adapter, **options)
    return webtest.TestApp(auth.wrap(_echo), extra_environ={"REMOTE_ADDR": "192.0.2.7"})


@pytest.fixture(params=["sqlite", "postgres", "redis"])
def two_adapters(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Any, Any]]:
    """Two adapters (two "hosts") over one database."""
    kind = request.param
    env = {"postgres": "AUTHMW_TEST_POSTGRES_URL", "redis": "AUTHMW_TEST_REDIS_URL"}.get(kind)
    url = os.environ.get(env) if env else None
    if env and not url:
        pytest.skip(f"set {env} to run on {kind}")
    prefix = f"t{uuid.uuid4().hex[:8]}_"
    if kind == "redis":
        pair: tuple[Any, Any] = tuple(RedisAdapter(str(url), prefix=prefix) for _ in "ab")
    else:
        target = url or str(tmp_path / "throttle.sqlite3")
        first = SQLAdapter(target, table_prefix=prefix, create_tables=True)
        pair = (first, SQLAdapter(target, table_prefix=prefix))
    yield pair
    if kind == "redis":
        keys = list(pair[0].client.scan_iter(match=f"{prefix}*"))
        if keys:
            pair[0].client.delete(*keys)
    else:
        pair[0].drop_all()
    for adapter in pair:
        adapter.close()


def test_S_A5_twenty_wrong_passwords_then_the_right_one_is_refused(
    two_adapters: tuple[Any, Any],
) -> None:
    counting = Counting()
    jwt = {"strategy": "jwt"}
    apps = [
        make(a, session=jwt, providers=[credentials_provider(authorize=counting)])
        for a in two_adapters
    ]
    answers = [sign_in(apps[i % 2], ALICE, "wrong").location for i in range(20)]
    assert answers[:10] == ["http://localhost/api/auth/signin?error=CredentialsSignin"] * 10
    assert all(answer.startswith(THROTTLED) for answer in answers[10:])
    right = sign_in(apps[0], ALICE, PASSWORDS[ALICE])
    assert right.location.startswith(THROTTLED)
    assert counting.calls == 10  # the throttled attempts never reached authorize
    assert apps[0].cookies.get("authmw.session-token") is None


def test_S_A5_twelve_magic_links_only_five_sent(two_adapters: tuple[Any, Any]) -> None:
    with smtp_capture() as (inbox, port):
        apps = [make(a, providers=[_email(port)]) for a in two_adapters]
        answers = [_request_link(apps[i % 2], "carol@example.com") for i in range(12)]
        inbox.wait(5)
    assert [a.location for a in answers[:5]] == [VERIFY] * 5
    assert all(a.location.startswith(THROTTLED) for a in answers[5:])
    assert len(inbox.messages) == 5


VERIFY = "http://localhost/api/auth/verify-request?provider=email&type=email"


def _email(port: int) -> EmailProvider:
    return EmailProvider(sender=SMTPSender.from_url(f"smtp://127.0.0.1:{port}", timeout=2))


def _request_link(app: webtest.TestApp, address: str, **extra: str) -> webtest.TestResponse:
    return app.post(
        "/api/auth/signin/email", {"csrfToken": csrf_token(app), "email": address, **extra}
    )


def test_A_DA6_changing_case_or_spaces_does_not_bypass(tmp_path: Path) -> None:
    counting = Counting()
    app = make(providers=[credentials_provider(authorize=counting)])
    for _ in range(10):
        sign_in(app, ALICE, "wrong")
    for variant in ("ALICE@example.com", " Alice@Example.COM ", "ａｌｉｃｅ@example.com"):
        assert sign_in(app, variant, "wrong").location.startswith(THROTTLED)
    assert counting.calls == 10
    adapter = SQLAdapter(tmp_path / "e.sqlite3", create_tables=True)
    with smtp_capture() as (inbox, port):
        mail = make(adapter, providers=[_email(port)])
        for variant in ("dave@example.com", "DAVE@example.com", " Dave@EXAMPLE.com"):
            _request_link(mail, variant)
        _request_link(mail, "dave@example.com")
        _request_link(mail, "Dave@Example.Com")
        inbox.wait(5)
        assert _request_link(mail, "DAVE@EXAMPLE.COM").location.startswith(THROTTLED)
    assert len(inbox.messages) == 5
    adapter.close()


def test_A_DA7_success_for_one_user_leaves_other_counts_alone() -> None:
    counting = Counting()
    app = make(
        providers=[credentials_provider(authorize=counting)],
        rate_limits={"credentials_per_account": "3/15 minutes", "credentials_per_client": "6/hour"},
    )
    for _ in range(2):
        sign_in(app, BOB, "wrong")
    assert "error" not in sign_in(app, ALICE).location  # A signs in: the client keeps its count
    assert sign_in(app, BOB, "wrong").location.endswith("error=CredentialsSignin")
    assert sign_in(app, BOB, PASSWORDS[BOB]).location.startswith(THROTTLED)  # B's 4th try
    for _ in range(3):
        sign_in(app, f"x{uuid.uuid4().hex[:6]}@example.com", "wrong")  # client failures: 6
    assert sign_in(app, ALICE).location.startswith(THROTTLED)  # the client's count survived
    assert counting.calls == 7


def test_A_DA11_B_H4_spoofed_forwarded_for_does_not_change_the_key() -> None:
    app = make(rate_limits={"credentials_per_client": "3/15 minutes"})
    for n in range(3):
        app.extra_environ = {"REMOTE_ADDR": "192.0.2.7", "HTTP_X_FORWARDED_FOR": f"203.0.113.{n}"}
        sign_in(app, f"user{n}@example.com", "wrong")
    app.extra_environ = {"REMOTE_ADDR": "192.0.2.7", "HTTP_X_FORWARDED_FOR": "198.51.100.1"}
    assert sign_in(app, ALICE).location.startswith(THROTTLED)
    app.extra_environ = {"REMOTE_ADDR": "192.0.2.8"}  # another client is not affected
    assert "error" not in sign_in(app, ALICE).location


def test_A_DA11_B_H4_forwarded_for_only_with_a_trusted_proxy_count() -> None:
    environ = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.9"}
    assert client_address(environ) == "10.0.0.1"
    assert client_address(environ, 1) == "203.0.113.9"  # the one our proxy appended
    assert client_address(environ, 2) == "6.6.6.6"
    assert client_address(environ, 3) == "10.0.0.1"  # fewer hops than proxies: not trusted
    assert client_address({}) == "unknown"


def test_S_A5_json_clients_get_429_with_retry_after() -> None:
    app = make(rate_limits={"credentials_per_account": "1/15 minutes"})
    sign_in(app, ALICE, "wrong")
    answer = sign_in(app, ALICE, "wrong", json="true", status=429)
    assert answer.json["url"].startswith(THROTTLED)  # next-auth's client reads `error` from it
    assert 0 < int(answer.headers["Retry-After"]) <= 900
    api = app.post(
        "/api/auth/callback/credentials",
        {"csrfToken": csrf_token(app), "email": ALICE, "password": "x"},
        headers={"Accept": "application/json"},
        status=429,
    )
    assert api.json["error"] == "TooManyRequests"
    assert api.json["retryAfter"] == int(api.headers["Retry-After"])


def test_S_A5_S_A6_unknown_and_known_accounts_are_throttled_alike() -> None:
    app = make(rate_limits={"credentials_per_account": "2/15 minutes"})
    for who in (ALICE, "nobody@example.com"):
        for _ in range(2):
            sign_in(app, who, "wrong")
    known = sign_in(app, ALICE, "wrong", json="true", status=429)
    unknown = sign_in(app, "nobody@example.com", "wrong", json="true", status=429)
    assert known.json == unknown.json
    assert known.headers["Retry-After"] == unknown.headers["Retry-After"]


def test_S_A5_sign_in_page_says_when_to_try_again() -> None:
    app = make(rate_limits={"credentials_per_account": "1/15 minutes"})
    sign_in(app, ALICE, "wrong")
    page = sign_in(app, ALICE, "wrong").follow()
    assert "Too many attempts. Try again in 15 minutes." in page.text
    forged = app.get("/api/auth/signin?error=TooManyRequests&retryAfter=<b>")
    assert "Too many attempts. Try again later." in forged.text


def test_S_A5_throttled_event_fires_without_the_password() -> None:
    seen: list[dict[str, Any]] = []
    app = make(
        rate_limits={"credentials_per_account": "1/15 minutes"},
        events={"throttled": lambda **kw: seen.append(kw)},
    )
    sign_in(app, ALICE, "hunter2-secret")
    sign_in(app, " Alice@example.com", "hunter2-secret")
    assert len(seen) == 1
    event = seen[0]
    assert event["limit"] == "credentials_per_account"
    assert event["provider"] == "credentials"
    assert event["identifier"] == ALICE
    assert event["client_address"] == "192.0.2.7"
    assert 0 < event["retry_after"] <= 900
    assert "hunter2-secret" not in repr(event)


def test_S_A5_rate_limits_false_turns_throttling_off() -> None:
    app = make(rate_limits=False)
    for _ in range(20):
        sign_in(app, ALICE, "wrong")
    assert "error" not in sign_in(app, ALICE).location


def test_S_A5_the_window_ends() -> None:
    with time_machine.travel("2026-01-01 12:00:00Z", tick=False) as clock:
        app = make(rate_limits={"credentials_per_account": "2/15 minutes"})
        sign_in(app, ALICE, "wrong")
        sign_in(app, ALICE, "wrong")
        clock.shift(timedelta(minutes=10))
        throttled = sign_in(app, ALICE, json="true", status=429)
        assert throttled.headers["Retry-After"] == "300"
        clock.shift(timedelta(minutes=5, seconds=1))
        assert "error" not in sign_in(app, ALICE).location


def test_S_A5_store_down_is_a_503_not_a_500_and_authorize_is_not_called() -> None:
    counting = Counting()
    down = RedisAdapter("redis://127.0.0.1:1/0", timeout=1)
    app = make(
        down, session={"strategy": "jwt"}, providers=[credentials_provider(authorize=counting)]
    )
    answer = sign_in(app, ALICE, json="true", status=503)
    assert answer.json == {"url": "http://localhost/api/auth/error?error=Configuration"}
    assert counting.calls == 0
    down.close()


@pytest.mark.parametrize(
    "limits",
    [
        {"credentials_per_account": "ten per minute"},
        {"email_per_address": "0/hour"},
        {"email_per_address": "5/0 hours"},
        {"email_per_client": "5/hour;10/day"},
        {"email_per_client": 5},
        {"trusted_proxies": -1},
        {"trusted_proxies": True},
        {"credentials_per_acount": "1/hour"},
        "10/hour",
    ],
)
def test_S_A5_bad_rate_limits_fail_at_construction(limits: Any) -> None:
    with pytest.raises(ConfigurationError, match="rate_limits"):
        make(rate_limits=limits)
