"""``Auth(debug=, logger=)``: every authmw record reaches the given logger; debug logs each
flow step and never a secret (authmw/log.py)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
import webtest

from authmw import log as authmw_log
from authmw.log import redact
from tests.conftest import SECRET
from tests.support import PASSWORDS, sign_in


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def collected() -> Iterator[tuple[logging.Logger, Collect]]:
    target = logging.getLogger("myapp.auth")
    target.setLevel(logging.DEBUG)
    target.propagate = False
    handler = Collect()
    target.addHandler(handler)
    level = logging.getLogger("authmw").level
    yield target, handler
    target.removeHandler(handler)
    if target in authmw_log._forwarder.targets:
        authmw_log._forwarder.targets.remove(target)
    logging.getLogger("authmw").setLevel(level)


def test_debug_logs_each_step_to_the_given_logger_without_secrets(
    make_auth: Any, collected: tuple[logging.Logger, Collect]
) -> None:
    target, handler = collected
    auth = make_auth(debug=True, logger=target)
    assert auth.logger is target and auth.debug is True
    app = webtest.TestApp(auth.wrap(lambda e, s: [s("200 OK", []) or b"ok"]))
    sign_in(app)
    app.get("/api/auth/session")
    app.post("/api/auth/signin/credentials", {"csrfToken": "forged"}, status="*")
    names = {record.name for record in handler.records}
    assert {"authmw.dispatch", "authmw.session", "authmw.signin"} <= names
    messages = [record.getMessage() for record in handler.records]
    assert any("callback/credentials answered 302" in m for m in messages)
    assert any(m.startswith("session: loaded") for m in messages)
    assert any("CSRF check failed" in m for m in messages)  # warnings reach it too
    secrets = [SECRET, app.cookies["authmw.session-token"], PASSWORDS["alice@example.com"]]
    for message in messages:
        assert not any(secret in message for secret in secrets)


def test_without_debug_no_debug_records(
    make_auth: Any, collected: tuple[logging.Logger, Collect]
) -> None:
    target, handler = collected
    logging.getLogger("authmw").setLevel(logging.INFO)
    app = webtest.TestApp(make_auth(logger=target).wrap(lambda e, s: [s("200 OK", []) or b""]))
    app.post("/api/auth/signin/credentials", {"csrfToken": "forged"}, status="*")
    assert handler.records and all(r.levelno >= logging.INFO for r in handler.records)


def test_default_logger_is_authmw(make_auth: Any) -> None:
    assert make_auth().logger is logging.getLogger("authmw")


def test_redact_masks_secret_looking_values() -> None:
    text = "/cb?code=abc&state=xyz&nonce=n&token=t&next=/home"
    assert redact(text) == (
        "/cb?code=[redacted]&state=[redacted]&nonce=[redacted]&token=[redacted]&next=/home"
    )
