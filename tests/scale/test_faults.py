"""Faults on a database of the test's own: stopped mid-run, started again; an instance restart.

The PostgreSQL cluster and the redis-server are real processes the test stops (every client
connection is cut, new ones are refused) and starts again on the same port and data, while
the app runs behind a real threaded WSGI server and the client is a real HTTP browser.
"""

from __future__ import annotations

import time
from typing import Any

import requests

from tests.scale.apps import (
    HTML,
    JSON,
    SECRET,
    SESSION,
    email_of,
    instance,
    make_auth,
    sign_in,
)

ALICE = "alice@example.com"


def _clean(response: requests.Response, *secrets: str) -> None:
    """No 500, no traceback and none of *secrets* in what the client sees."""
    assert response.status_code < 500 or response.status_code == 503, response.status_code
    body = response.text
    assert "Traceback" not in body and 'File "' not in body
    for secret in (SECRET, *secrets):
        assert secret not in body and secret not in str(response.headers)


def _wait_for_session(browser: requests.Session, base: str, email: str) -> None:
    deadline = time.monotonic() + 5
    while True:  # recovery within 5 s of the restart, without restarting the app
        answer = browser.get(f"{base}/api/auth/session", timeout=10)
        if answer.status_code == 200 and answer.json():
            assert answer.json()["user"]["email"] == email
            return
        assert time.monotonic() < deadline, f"no recovery within 5 s: {answer.status_code}"
        time.sleep(0.1)


def test_R_7_own_database_stopped_mid_run_answers_503_then_resumes(
    own_store: tuple[Any, Any],
) -> None:
    store, server = own_store
    adapter = store.adapter(timeout=1)
    with instance(make_auth(adapter)) as base, requests.Session() as browser:
        assert sign_in(browser, base, ALICE).status_code == 302
        raw = browser.cookies[SESSION]
        assert browser.get(f"{base}/dashboard", timeout=10).json()["session"]["user"]
        server.stop()
        started = time.monotonic()
        answers = []
        for path in ("/dashboard", "/dashboard/deep", "/api/me"):
            for accept in (HTML, JSON):
                down = browser.get(base + path, headers=accept, timeout=10)
                assert down.status_code == 503, (path, accept, down.status_code)
                assert down.headers["Retry-After"] == "5"
                answers.append(down)
        html = browser.get(f"{base}/dashboard", headers=HTML, timeout=10)
        assert html.headers["Content-Type"].startswith("text/")
        api = browser.get(f"{base}/api/me", headers=JSON, timeout=10)
        assert api.json()["error"] == "SessionUnavailable"
        for accept in (HTML, JSON, {}):  # next-auth's client: JSON whatever it accepts
            session = browser.get(f"{base}/api/auth/session", headers=accept, timeout=10)
            assert session.status_code == 503 and session.json() == {"error": "Configuration"}
            assert session.headers["Retry-After"] == "5"
            answers.append(session)
        public = browser.get(f"{base}/", timeout=10)  # public paths keep working
        assert public.status_code == 200 and public.json()["session"] is None
        assert browser.get(f"{base}/api/auth/providers", timeout=10).status_code == 200
        with requests.Session() as newcomer:  # a new sign-in fails cleanly, never a 500
            refused = sign_in(newcomer, base, "bob@example.com")
            assert refused.status_code == 302
            assert "error=Configuration" in refused.headers["Location"]
            answers.append(refused)
        for answer in [*answers, public]:
            _clean(answer, raw, store.url)
            assert SESSION not in answer.headers.get("Set-Cookie", "")  # the cookie is kept
        assert time.monotonic() - started < 20

        server.start()
        _wait_for_session(browser, base, ALICE)
        assert browser.cookies[SESSION] == raw  # the same cookie: nothing was lost
        assert browser.get(f"{base}/dashboard", timeout=10).status_code == 200
        assert adapter.get_user_by_email(ALICE) is not None
        assert adapter.get_user_by_email("bob@example.com") is None


def test_R_7_instance_restart_and_database_restart_lose_no_session(
    own_store: tuple[Any, Any],
) -> None:
    store, server = own_store
    with requests.Session() as browser:
        with instance(make_auth(store.adapter(timeout=1))) as first:
            assert sign_in(browser, first, ALICE).status_code == 302
            assert email_of(browser, first) == ALICE
        raw = browser.cookies[SESSION]
        server.stop()  # the database restarts too while no instance runs
        server.start()
        # a brand-new Auth, adapter and server over the same database, as after a deploy
        with instance(make_auth(store.adapter(timeout=1))) as second:
            assert email_of(browser, second) == ALICE
            assert browser.get(f"{second}/dashboard", timeout=10).status_code == 200
        assert browser.cookies[SESSION] == raw


def test_R_7_S_S4_jwt_sessions_with_a_store_fail_closed_while_it_is_down(
    own_store: tuple[Any, Any],
) -> None:
    """Decided: with a store, every JWT session is checked against the revocation list (S-S4),
    which is a per-request check in R-7's sense. While the store is down a revoked token could
    not be told apart, so protected paths answer 503 (never 200) and ``/session`` 503, the
    cookie is kept, and the same cookie works again once the store is back. Throttled sign-ins
    fail closed too (``error=Configuration``)."""
    store, server = own_store
    auth = make_auth(store.adapter(timeout=1), session={"strategy": "jwt"})
    with instance(auth) as base, requests.Session() as browser:
        assert sign_in(browser, base, ALICE).status_code == 302
        raw = browser.cookies[SESSION]
        server.stop()
        page = browser.get(f"{base}/dashboard", headers=HTML, timeout=10)
        assert page.status_code == 503 and page.headers["Retry-After"] == "5"
        session = browser.get(f"{base}/api/auth/session", timeout=10)
        assert session.status_code == 503 and session.json() == {"error": "Configuration"}
        public = browser.get(f"{base}/", timeout=10)
        assert public.status_code == 200
        with requests.Session() as newcomer:
            refused = sign_in(newcomer, base, "bob@example.com")
            assert "error=Configuration" in refused.headers["Location"]
        for answer in (page, session, public, refused):
            _clean(answer, raw, store.url)
            assert SESSION not in answer.headers.get("Set-Cookie", "")
        server.start()
        _wait_for_session(
            browser, base, ALICE
        )  # the same session (its cookie rolls, as /session does)
