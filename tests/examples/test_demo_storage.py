"""The plain demo's defaults: SQLite users, email links in the terminal, both strategies."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import webtest

from examples.demo.app import create_app
from tests.support import sign_in

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
    sign_in(app, "admin@example.com", "admin-password", status=302)
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


def _email_sign_in(app: webtest.TestApp, email: str, capsys: pytest.CaptureFixture[str]) -> None:
    token = app.get("/api/auth/csrf").json["csrfToken"]
    app.post("/api/auth/signin/email", {"csrfToken": token, "email": email}, status=302)
    link = re.search(r"http://localhost(/api/auth/callback/email\S+)", capsys.readouterr().err)
    assert link
    app.get(link.group(1), status=302)


@pytest.mark.parametrize("strategy", ["jwt", "database"])
@pytest.mark.parametrize(
    ("email", "user_id", "role", "admin_status"),
    [("admin@example.com", "2", "admin", 200), ("alice@example.com", "1", "user", 403)],
)
def test_demo_email_link_reaches_the_password_account(
    demo: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    strategy: str,
    email: str,
    user_id: str,
    role: str,
    admin_status: int,
) -> None:
    monkeypatch.setenv("AUTHMW_SESSION_STRATEGY", strategy)
    app = webtest.TestApp(create_app(secret=SECRET, url="http://localhost"))
    _email_sign_in(app, email, capsys)
    user = app.get("/api/me").json["user"]
    assert user["role"] == role
    if strategy == "jwt":
        assert user["id"] == user_id, "the same id as after the password sign-in"
    assert app.get("/admin", status=admin_status).status_int == admin_status


def test_demo_sign_out_from_the_nav_lands_on_home(demo: Path) -> None:
    app = webtest.TestApp(create_app(secret=SECRET, url="http://localhost"))
    sign_in(app, "alice@example.com", "alice-password", status=302, callbackUrl="/dashboard")
    nav = app.get("/dashboard").html
    link = nav.find("a", string="Sign out")["href"]
    page = app.get(link)
    form = page.forms[0]
    response = form.submit(status=302)
    assert response.headers["Location"] == "http://localhost/"
    assert app.get("/api/auth/session").json == {}
