"""The plain demo's defaults: SQLite users, email links in the terminal, both strategies."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import webtest

from examples.demo.app import create_app

SECRET = "demo-test-secret-" + "x" * 32


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    database = tmp_path / "demo.sqlite3"
    monkeypatch.setenv("AUTHMW_DATABASE_URL", str(database))
    monkeypatch.delenv("AUTHMW_SMTP_URL", raising=False)
    return database


@pytest.mark.parametrize("strategy", ["jwt", "database"])
def test_demo_admin_role_works_with_both_strategies(
    demo: Path, monkeypatch: pytest.MonkeyPatch, strategy: str
) -> None:
    monkeypatch.setenv("AUTHMW_SESSION_STRATEGY", strategy)
    app = webtest.TestApp(create_app(secret=SECRET, url="http://localhost"))
    token = app.get("/api/auth/csrf").json["csrfToken"]
    app.post(
        "/api/auth/callback/credentials",
        {"csrfToken": token, "email": "admin@example.com", "password": "admin-password"},
        status=302,
    )
    assert app.get("/admin").status_int == 200
    assert app.get("/api/me").json["user"]["role"] == "admin"


def test_demo_email_sign_in_prints_the_link(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app = webtest.TestApp(create_app(secret=SECRET, url="http://localhost"))
    assert "email" in app.get("/api/auth/providers").json
    token = app.get("/api/auth/csrf").json["csrfToken"]
    sent = app.post("/api/auth/signin/email", {"csrfToken": token, "email": "bob@example.com"})
    assert "/api/auth/verify-request" in sent.headers["Location"]
    link = re.search(r"http://localhost/api/auth/callback/email\S+", capsys.readouterr().err)
    assert link, "the console sender prints the sign-in link"
    app.get(link.group(0).replace("http://localhost", ""), status=302)
    assert app.get("/api/auth/session").json["user"]["email"] == "bob@example.com"
    assert demo.exists()
