"""Email (magic link) sign-in end to end: a real SMTP server (aiosmtpd) on 127.0.0.1 and a real
SQLite file; B-E6 also on PostgreSQL and Redis when their URLs are set."""

from __future__ import annotations

import hashlib
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
import time_machine
import webtest

from authmw import Auth, ConfigurationError
from authmw.adapters.redis import RedisAdapter
from authmw.adapters.sql import SQLAdapter
from authmw.mail import SMTPSender
from authmw.providers.email import EmailProvider, hash_verification_token
from tests.support import Inbox, free_port, smtp_capture

SECRET = "e" * 32 + "-email-sign-in-tests"
SESSION = "authmw.session-token"
DAY = 24 * 3600


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_capture() as capture:
        yield capture


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLAdapter]:
    adapter = SQLAdapter(tmp_path / "email.sqlite3", create_tables=True)
    yield adapter
    adapter.close()


def make(store: Any, port: int | None = None, **options: Any) -> webtest.TestApp:
    provider = options.pop("provider", None) or EmailProvider(
        sender=SMTPSender.from_url(f"smtp://127.0.0.1:{port}", timeout=2)
    )
    auth = Auth(
        secret=options.pop("secret", SECRET),
        url="http://localhost",
        adapter=store,
        providers=[provider],
        **options,
    )
    return webtest.TestApp(auth.wrap(_echo))


def _echo(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def request_link(app: webtest.TestApp, address: str, **extra: str) -> webtest.TestResponse:
    token = app.get("/api/auth/csrf").json["csrfToken"]
    return app.post("/api/auth/signin/email", {"csrfToken": token, "email": address, **extra})


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def open_link(browser: webtest.TestApp, url: str, **params: str) -> webtest.TestResponse:
    """Open a link as a person does: in a browser that did not ask for it, the confirmation
    page comes first (S-S9), and its button is pressed."""
    response = browser.get(path_of(url), params=params, status="*")
    if response.status_int == 200 and response.forms:
        return response.forms[0].submit(status="*")
    return response


def count(store: SQLAdapter, table: sa.Table) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


# -- the flow -----------------------------------------------------------------------------


def test_B_E5_link_arrives_signs_in_once_and_second_use_fails(
    smtp: tuple[Inbox, int], store: SQLAdapter
) -> None:
    inbox, port = smtp
    app = make(store, port)
    response = request_link(app, "alice@example.com", callbackUrl="/dashboard")
    assert response.status_int == 302
    assert response.location == "http://localhost/api/auth/verify-request?provider=email&type=email"
    assert len(inbox.messages) == 1
    recipients, message = inbox.messages[0]
    assert recipients == ["alice@example.com"]
    assert message["To"] == "alice@example.com" and message["Subject"] == "Sign in to localhost"
    assert {p.get_content_type() for p in message.walk()} >= {"text/plain", "text/html"}
    link = inbox.link()
    query = parse_qs(urlsplit(link).query)
    assert link.startswith("http://localhost/api/auth/callback/email?callbackUrl=")
    assert query["email"] == ["alice@example.com"] and len(query["token"][0]) == 43

    browser = webtest.TestApp(app.app)  # the link may open in another browser: one more click
    done = open_link(browser, link)
    assert done.status_int == 302 and done.location == "http://localhost/dashboard"
    assert browser.get("/api/auth/session").json["user"]["email"] == "alice@example.com"
    user = store.get_user_by_email("alice@example.com")
    assert user is not None and user.email_verified is not None
    assert count(store, store.tokens) == 0

    again = open_link(webtest.TestApp(app.app), link)  # B-E2
    assert again.location == "http://localhost/api/auth/error?error=Verification"
    assert SESSION not in " ".join(again.headers.getall("Set-Cookie"))


def test_second_sign_in_finds_the_same_user(smtp: tuple[Inbox, int], store: SQLAdapter) -> None:
    inbox, port = smtp
    app = make(store, port)
    for _ in range(2):
        request_link(app, "alice@example.com")
        app.get(path_of(inbox.link()))
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(store.users)).scalar_one() == 1


def test_new_user_goes_to_pages_new_user(smtp: tuple[Inbox, int], store: SQLAdapter) -> None:
    inbox, port = smtp
    app = make(store, port, pages={"new_user": "/welcome"})
    request_link(app, "new@example.com")
    first = app.get(path_of(inbox.link()))
    assert first.location.startswith("http://localhost/welcome?callbackUrl=")
    request_link(app, "new@example.com")
    second = app.get(path_of(inbox.link()))
    assert second.location == "http://localhost"


def test_S_A3_S_A4_only_the_hash_of_a_random_token_is_stored(
    smtp: tuple[Inbox, int], store: SQLAdapter
) -> None:
    inbox, port = smtp
    app = make(store, port)
    tokens = set()
    for _ in range(5):
        request_link(app, "alice@example.com")
        tokens.add(parse_qs(urlsplit(inbox.link()).query)["token"][0])
    assert len(tokens) == 5
    with store.engine.connect() as conn:
        stored = {row.token for row in conn.execute(sa.select(store.tokens))}
    assert stored == {hashlib.sha256((t + SECRET).encode()).hexdigest() for t in tokens}
    assert all(len(t) == 43 and t.replace("-", "").replace("_", "").isalnum() for t in tokens)


def test_S_A6_same_answer_for_known_and_unknown_addresses(
    smtp: tuple[Inbox, int], store: SQLAdapter
) -> None:
    inbox, port = smtp
    app = make(store, port)
    request_link(app, "known@example.com")
    open_link(webtest.TestApp(app.app), inbox.link())
    known = request_link(app, "known@example.com")
    unknown = request_link(app, "nobody@example.com")
    assert (known.status, known.location, known.body) == (
        unknown.status,
        unknown.location,
        unknown.body,
    )


def test_json_true_answers_with_the_verify_request_url(
    smtp: tuple[Inbox, int], store: SQLAdapter
) -> None:
    _, port = smtp
    app = make(store, port)
    response = request_link(app, "alice@example.com", json="true")
    assert response.json == {
        "url": "http://localhost/api/auth/verify-request?provider=email&type=email"
    }


def test_callback_url_in_the_link_is_sanitized(smtp: tuple[Inbox, int], store: SQLAdapter) -> None:
    inbox, port = smtp
    app = make(store, port)
    request_link(app, "alice@example.com", callbackUrl="https://evil.example/")
    done = open_link(webtest.TestApp(app.app), inbox.link())
    assert done.location == "http://localhost"


def test_sign_in_callback_can_refuse_an_address_before_sending(
    smtp: tuple[Inbox, int], store: SQLAdapter
) -> None:
    inbox, port = smtp

    def only_corp(user: dict[str, Any], email: dict[str, Any] | None = None) -> bool:
        return str(user["email"]).endswith("@corp.example")

    app = make(store, port, callbacks={"sign_in": only_corp})
    refused = request_link(app, "alice@example.com")
    assert refused.location == "http://localhost/api/auth/error?error=AccessDenied"
    assert inbox.messages == [] and count(store, store.tokens) == 0
    request_link(app, "bob@corp.example")
    assert len(inbox.messages) == 1


def test_smtp_down_is_EmailSignin_and_leaves_no_usable_token(store: SQLAdapter) -> None:
    app = make(store, free_port())
    started = time.monotonic()
    response = request_link(app, "alice@example.com")
    assert time.monotonic() - started < 5
    assert response.location == "http://localhost/api/auth/signin?error=EmailSignin"
    assert count(store, store.tokens) == 0


def test_failing_custom_sender_leaves_no_usable_token(store: SQLAdapter) -> None:
    links: list[str] = []

    def send(url: str) -> None:
        links.append(url)
        raise RuntimeError("mail service said no")

    app = make(store, provider=EmailProvider(send_verification_request=send))
    response = request_link(app, "alice@example.com")
    assert "error=EmailSignin" in response.location
    used = open_link(webtest.TestApp(app.app), links[0])
    assert used.location.endswith("error=Verification")


def test_custom_send_verification_request_gets_the_documented_keywords(
    store: SQLAdapter,
) -> None:
    calls: list[dict[str, Any]] = []

    def send(**kwargs: Any) -> None:
        calls.append(kwargs)

    app = make(store, provider=EmailProvider(send_verification_request=send, max_age=600))
    request_link(app, "alice@example.com")
    (call,) = calls
    assert set(call) == {"identifier", "url", "expires", "token", "provider", "request"}
    assert call["identifier"] == "alice@example.com" and call["token"] in call["url"]
    assert abs(call["expires"].timestamp() - time.time() - 600) < 5


def test_email_provider_needs_an_adapter_and_a_way_to_send(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AUTHMW_SMTP_URL", raising=False)
    with pytest.raises(ConfigurationError, match="AUTHMW_SMTP_URL"):
        EmailProvider()
    provider = EmailProvider(send_verification_request=lambda url: None)
    with pytest.raises(ConfigurationError, match="adapter"):
        Auth(secret=SECRET, url="http://localhost", providers=[provider])
    monkeypatch.setenv("AUTHMW_SMTP_URL", "smtp://127.0.0.1:2525")
    assert isinstance(EmailProvider().sender, SMTPSender)


# -- 5.5 bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (" Foo@Example.COM ", "foo@example.com"),
        ("user@bücher.example", "user@xn--bcher-kva.example"),
        ("ＡＬＩＣＥ@example.com", "alice@example.com"),
    ],
)
def test_5_5_addresses_are_normalised(
    smtp: tuple[Inbox, int], store: SQLAdapter, given: str, expected: str
) -> None:
    inbox, port = smtp
    app = make(store, port)
    request_link(app, given)
    assert [recipients for recipients, _ in inbox.messages] == [[expected]]
    assert parse_qs(urlsplit(inbox.link()).query)["email"] == [expected]


BAD_ADDRESSES = [
    pytest.param("a@b.test,c@d.test", id="A_NA5-comma"),
    pytest.param("a@b.test;c@d.test", id="A_NA5-semicolon"),
    pytest.param("a@b.test c@d.test", id="A_NA5-space"),
    pytest.param('"a@evil.test"@corp.test', id="A_NA11-quoted"),
    pytest.param('"a@evil.test x"@corp.test', id="A_NA11-quoted-space"),
    pytest.param("a@evil.test＠corp.test", id="A_NA13-fullwidth-at"),
    pytest.param("a@evil.test﹫corp.test", id="A_NA13-small-at"),
    pytest.param("a@evil.test@corp.test", id="A_OP9-two-at"),
    pytest.param("Name <a@b.test>", id="A_NA4-display-name"),
    pytest.param("<a@b.test>", id="A_NA4-brackets"),
    pytest.param('a@b.test, <a href="https://evil">claim</a>', id="A_NA4-html"),
    pytest.param("a@b.test\r\nBcc: x@evil.test", id="crlf-header-injection"),
    pytest.param("a@b.test\nBcc: x@evil.test", id="lf-header-injection"),
    pytest.param("user@[127.0.0.1]", id="ip-literal"),
    pytest.param("user@127.0.0.1", id="numeric-domain"),
    pytest.param("user@localhost", id="no-dot"),
    pytest.param("a" * 65 + "@example.com", id="local-over-64"),
    pytest.param("a@" + ".".join(["b" * 60] * 5) + ".test", id="total-over-254"),
    pytest.param("", id="empty"),
    pytest.param("@example.com", id="empty-local"),
    pytest.param("a@", id="empty-domain"),
    pytest.param("a..b@example.com", id="double-dot"),
    pytest.param("a@-bad-.example", id="bad-label"),
    pytest.param("a@exa_mple.com", id="underscore-domain"),
    pytest.param("ünïcode@example.com", id="unicode-local"),
    pytest.param("a@b.test\tc", id="tab"),
]


@pytest.mark.parametrize("address", BAD_ADDRESSES)
def test_5_5_bad_addresses_are_EmailSignin_and_send_nothing(
    smtp: tuple[Inbox, int], store: SQLAdapter, address: str
) -> None:
    inbox, port = smtp
    app = make(store, port)
    response = request_link(app, address)
    assert response.location == "http://localhost/api/auth/signin?error=EmailSignin"
    assert inbox.messages == []
    assert count(store, store.tokens) == 0


def test_5_5_nul_and_missing_address(smtp: tuple[Inbox, int], store: SQLAdapter) -> None:
    inbox, port = smtp
    app = make(store, port)
    token = app.get("/api/auth/csrf").json["csrfToken"]
    nul = app.post(
        "/api/auth/signin/email",
        f"csrfToken={token}&email=a%00@b.test",
        content_type="application/x-www-form-urlencoded",
        status="*",
    )
    assert nul.status_int in (302, 400)
    missing = app.post("/api/auth/signin/email", {"csrfToken": token})
    assert "error=EmailSignin" in missing.location
    assert inbox.messages == []


def test_S_X1_signin_email_without_csrf_sends_nothing(
    smtp: tuple[Inbox, int], store: SQLAdapter
) -> None:
    inbox, port = smtp
    app = make(store, port)
    response = app.post("/api/auth/signin/email", {"email": "alice@example.com"})
    assert response.location.endswith("/api/auth/signin?csrf=true")
    assert inbox.messages == []


# -- 5.6 the callback ---------------------------------------------------------------------


@pytest.fixture
def link(smtp: tuple[Inbox, int], store: SQLAdapter) -> tuple[webtest.TestApp, str]:
    inbox, port = smtp
    app = make(store, port)
    request_link(app, "alice@example.com")
    return app, inbox.link()


def _callback(app: webtest.TestApp, **query: str) -> webtest.TestResponse:
    return open_link(webtest.TestApp(app.app), "/api/auth/callback/email", **query)


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


VERIFICATION = "http://localhost/api/auth/error?error=Verification"


def test_B_E1_wrong_token_or_other_email(link: tuple[webtest.TestApp, str]) -> None:
    app, url = link
    q = _query(url)
    assert _callback(app, token="A" * 43, email=q["email"]).location == VERIFICATION
    assert _callback(app, token=q["token"], email="bob@example.com").location == VERIFICATION
    assert _callback(app, token=q["token"], email=q["email"]).location == "http://localhost"


def test_B_E3_S_A1_expiry_boundary(smtp: tuple[Inbox, int], store: SQLAdapter) -> None:
    inbox, port = smtp
    start = time.time()
    with time_machine.travel(start, tick=False) as clock:
        app = make(store, port)
        request_link(app, "alice@example.com")
        early = inbox.link()
        request_link(app, "alice@example.com")
        late = inbox.link()
        clock.shift(DAY - 1)
        assert _callback(app, **_query(early)).location == "http://localhost"
        clock.shift(1)
        assert _callback(app, **_query(late)).location == VERIFICATION


def test_B_E4_other_secret_long_and_unicode_tokens(
    smtp: tuple[Inbox, int], store: SQLAdapter, link: tuple[webtest.TestApp, str]
) -> None:
    app, url = link
    q = _query(url)
    other = make(store, smtp[1], secret="o" * 40)
    assert _callback(other, **q).location == VERIFICATION
    assert _callback(app, token="a" * 10_000, email=q["email"]).location == VERIFICATION
    assert _callback(app, token="ä" * 43, email=q["email"]).location == VERIFICATION
    assert _callback(app, token=q["token"] + "x", email=q["email"]).location == VERIFICATION
    assert _callback(app, **q).location == "http://localhost"  # none of that consumed it


def test_rotated_secret_still_accepts_links_sent_before(
    smtp: tuple[Inbox, int], store: SQLAdapter, link: tuple[webtest.TestApp, str]
) -> None:
    _, url = link
    rotated = make(store, smtp[1], secret=["n" * 40, SECRET])
    assert _callback(rotated, **_query(url)).location == "http://localhost"


def test_B_E7_head_does_not_consume_the_token(link: tuple[webtest.TestApp, str]) -> None:
    app, url = link
    for browser in (app, webtest.TestApp(app.app)):  # not even the browser that asked
        head = browser.head(path_of(url), status="*")
        assert head.status_int == 200 and head.body == b""
    assert _callback(app, **_query(url)).location == "http://localhost"


def test_B_E8_missing_email_parameter(link: tuple[webtest.TestApp, str]) -> None:
    app, url = link
    q = _query(url)
    assert _callback(app, token=q["token"]).location == VERIFICATION
    assert _callback(app, email=q["email"]).location == VERIFICATION
    assert _callback(app, **q).location == "http://localhost"


def _backend(kind: str, tmp_path: Path) -> tuple[Any, Callable[[], int], Callable[[], None]]:
    env = {"postgres": "AUTHMW_TEST_POSTGRES_URL", "redis": "AUTHMW_TEST_REDIS_URL"}.get(kind)
    url = os.environ.get(env) if env else None
    if env and not url:
        message = f"set {env} to run B-E6 on {kind}"
        if os.environ.get("AUTHMW_REQUIRE_SERVICES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    if kind == "redis":
        redis_store = RedisAdapter(str(url), prefix=f"authmw-test:{uuid.uuid4().hex}:")

        def keys() -> list[str]:
            return list(redis_store.client.scan_iter(match=f"{redis_store.prefix}*"))

        def sessions() -> int:
            return sum(1 for k in keys() if k.startswith(f"{redis_store.prefix}session:"))

        def drop() -> None:
            if keys():
                redis_store.client.delete(*keys())
            redis_store.close()

        return redis_store, sessions, drop
    target = url or str(tmp_path / "race.sqlite3")
    sql_store = SQLAdapter(target, table_prefix=f"t{uuid.uuid4().hex[:8]}_", create_tables=True)

    def drop_sql() -> None:
        sql_store.drop_all()
        sql_store.close()

    return sql_store, lambda: count(sql_store, sql_store.sessions), drop_sql


@pytest.mark.parametrize("kind", ["sqlite", "postgres", "redis"])
def test_B_E6_twenty_threads_one_token_exactly_one_session(kind: str, tmp_path: Path) -> None:
    adapter, sessions, drop = _backend(kind, tmp_path)
    links: list[str] = []
    try:
        provider = EmailProvider(send_verification_request=lambda url: links.append(url))
        app = make(adapter, provider=provider)
        request_link(app, "alice@example.com")
        barrier = threading.Barrier(20)

        def confirm(_: int) -> str:
            page = webtest.TestApp(app.app).get(path_of(links[0]))  # the confirmation page
            barrier.wait(timeout=10)
            return str(page.forms[0].submit(status="*").location)

        with ThreadPoolExecutor(20) as pool:
            outcomes = list(pool.map(confirm, range(20)))
        assert outcomes.count("http://localhost") == 1
        assert outcomes.count(VERIFICATION) == 19
        assert sessions() == 1
    finally:
        drop()


def test_hash_matches_nextauth() -> None:
    assert hash_verification_token("tok", "sec") == hashlib.sha256(b"toksec").hexdigest()
