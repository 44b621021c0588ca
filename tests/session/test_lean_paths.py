"""Issue 13: the lean paths keep the same answers (bytes, headers) and the same security."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import webtest
from webob import Response

from authmw.adapters.sql import SQLAdapter
from authmw.dispatch.answer import JSONAnswer
from authmw.session.revocation import Revocations
from authmw.state import MemoryState
from tests.support import sign_in


def _served(app: Any, method: str = "GET") -> tuple[str, list[tuple[str, str]], bytes]:
    seen: list[Any] = []
    environ = {"REQUEST_METHOD": method, "wsgi.url_scheme": "http", "SERVER_NAME": "x"}
    environ.update({"SERVER_PORT": "80", "PATH_INFO": "/", "HTTP_HOST": "x"})
    body = b"".join(
        app(environ, lambda status, headers, exc_info=None: seen.append((status, headers)))
    )
    return seen[0][0], seen[0][1], body


@pytest.mark.parametrize("data", [{}, {"user": {"name": "Ada", "email": None}, "expires": "z"}])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_json_answer_sends_the_bytes_and_headers_webob_sent(data: Any, method: str) -> None:
    before = Response(status=200, content_type="application/json", charset="utf-8")
    before.text = json.dumps(data, separators=(",", ":"))
    assert _served(JSONAnswer(data), method) == _served(before, method)


def test_session_endpoint_answers_as_before(make_app: Any) -> None:
    app = make_app()
    anonymous = app.get("/api/auth/session")
    assert anonymous.body == b"{}"
    assert anonymous.headerlist == [
        ("Content-Type", "application/json"),
        ("Content-Length", "2"),
        ("Cache-Control", "no-store"),
        ("Pragma", "no-cache"),
        ("Referrer-Policy", "same-origin"),
        ("X-Content-Type-Options", "nosniff"),
        ("Content-Security-Policy", "frame-ancestors 'none'"),
        ("X-Frame-Options", "DENY"),
    ]
    sign_in(app)
    signed = app.get("/api/auth/session")
    names = [name for name, _ in signed.headerlist]
    assert names == [name for name, _ in anonymous.headerlist]  # nothing to re-issue yet
    assert signed.json["user"]["email"] == "alice@example.com"
    assert app.head("/api/auth/session").body == b""


class CountingState(MemoryState):
    def __init__(self) -> None:
        super().__init__()
        self.lookups = 0

    def any_marker(self, keys: list[str]) -> bool:
        self.lookups += 1
        return super().any_marker(keys)


def test_S_S4_in_process_revocation_check_is_skipped_until_something_is_revoked() -> None:
    state = CountingState()
    revocations = Revocations(state, max_age=3600, absolute_max_age=None)
    claims = {"sub": "u1", "jti": "j1", "iat": 1, "auth_time": 1}
    state.add_marker("oauth-replay:x", datetime.now(UTC) + timedelta(hours=1))
    assert not revocations.is_revoked(claims)
    assert state.lookups == 0  # nothing revoked in this process: no lookup at all
    revocations.revoke_token({"jti": "other"})
    assert not revocations.is_revoked(claims)
    assert state.lookups == 1
    revocations.revoke_token(claims)
    assert revocations.is_revoked(claims)


def test_S_S5_database_session_request_is_one_sql_statement(make_auth: Any, tmp_path: Path) -> None:
    adapter = SQLAdapter(f"sqlite:///{tmp_path / 'one.db'}", create_tables=True)
    statements: list[str] = []
    # every statement SQLite runs, including those sent on the DBAPI connection directly
    trace = lambda connection, _record: connection.set_trace_callback(statements.append)  # noqa: E731
    sa.event.listen(adapter.engine, "connect", trace)
    adapter.engine.dispose()
    auth = make_auth(
        adapter=adapter,
        callbacks={},
        session={"max_age": 3600, "update_age": 0, "absolute_max_age": 7200},
    )
    app = webtest.TestApp(auth.wrap(lambda e, s: [s("200 OK", []) or b""]))
    sign_in(app)
    app.get("/api/auth/session")  # the first roll notes the sign-in time if needed
    statements.clear()
    assert app.get("/api/auth/session").json["user"]["email"] == "alice@example.com"
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 1  # row + user + sign-in time: one joined statement
    assert "shared_state" in reads[0] and "JOIN" in reads[0].upper()
    adapter.close()
