"""Every example app through WebTest: the credentials form flow, protection, 401/403, sign-out."""

from __future__ import annotations

import importlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import webtest

from tests.support import free_port, sign_in

SECRET = "example-test-secret-" + "x" * 32
URL = "http://localhost"
DASH = "/dashboard"
SESSION = "authmw.session-token"
EXAMPLES = ["demo", "pyramid", "bottle", "flask", "django"]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def django_example_settings() -> Iterator[None]:
    """The Django example's settings, whatever another test configured first."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "examples.django.settings")
    import django
    from django.test.utils import override_settings

    django.setup(set_prefix=False)
    module = importlib.import_module("examples.django.settings")
    skip = {"DATABASES", "INSTALLED_APPS"}  # Django warns on overriding these; both are empty
    values = {name: getattr(module, name) for name in dir(module) if name.isupper()}
    values = {name: value for name, value in values.items() if name not in skip}
    with override_settings(**values):
        yield


def make(name: str, request: pytest.FixtureRequest) -> webtest.TestApp:
    if name == "django":
        request.getfixturevalue("django_example_settings")
    module = importlib.import_module(f"examples.{name}.app")
    return webtest.TestApp(module.create_app(secret=SECRET, url=URL))


@pytest.fixture(params=EXAMPLES)
def app(request: pytest.FixtureRequest) -> webtest.TestApp:
    return make(request.param, request)


def assert_sign_in_redirect(response: webtest.TestResponse, callback: str) -> None:
    assert response.status_int == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/api/auth/signin"
    assert parse_qs(location.query)["callbackUrl"] == [callback]


def test_anonymous_visitor(app: webtest.TestApp) -> None:
    assert app.get("/").status_int == 200
    assert_sign_in_redirect(app.get("/dashboard", status=302), "/dashboard")
    assert_sign_in_redirect(app.get("/admin", status=302), "/admin")
    response = app.get("/api/me", status=401)
    assert response.content_type == "application/json"
    assert response.json["error"]


def test_alice_signs_in_sees_dashboard_not_admin_and_signs_out(app: webtest.TestApp) -> None:
    response = sign_in(app, "alice@example.com", "alice-password", status=302, callbackUrl=DASH)
    assert response.headers["Location"].endswith("/dashboard")
    assert app.cookies.get(SESSION)
    dashboard = app.get("/dashboard", status=200)
    assert "alice@example.com" in dashboard.text
    assert app.get("/admin", status=403).status_int == 403
    me = app.get("/api/me", status=200).json
    assert me["user"]["email"] == "alice@example.com"
    assert me["user"]["role"] == "user"

    token = app.get("/api/auth/csrf").json["csrfToken"]
    app.post("/api/auth/signout", {"csrfToken": token}, status=302)
    assert not app.cookies.get(SESSION)
    assert_sign_in_redirect(app.get("/dashboard", status=302), "/dashboard")
    app.get("/api/me", status=401)


def test_admin_sees_admin(app: webtest.TestApp) -> None:
    sign_in(app, "admin@example.com", "admin-password", status=302, callbackUrl=DASH)
    assert "Only admins" in app.get("/admin", status=200).text
    assert app.get("/api/me").json["user"]["role"] == "admin"


def test_wrong_password_gives_no_session(app: webtest.TestApp) -> None:
    response = sign_in(app, "alice@example.com", "nope", status=302)
    assert "error=CredentialsSignin" in response.headers["Location"]
    assert not app.cookies.get(SESSION)
    app.get("/dashboard", status=302)


def test_A_NA9_forged_headers_do_not_unlock_pages(app: webtest.TestApp) -> None:
    headers = {
        "X-Middleware-Subrequest": "middleware",
        "X-Original-URL": "/",
        "X-Forwarded-Uri": "/",
        "X-Authmw-User": "admin@example.com",
    }
    app.get("/admin", headers=headers, status=302)
    app.get("/api/me", headers=headers, status=401)


def _example_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "AUTHMW_SECRET": SECRET,
        "AUTHMW_DATABASE_URL": str(tmp_path / "demo.sqlite3"),
        "PYTHONPATH": str(ROOT),
        **extra,
    }
    for name in ("AUTHMW_URL", "DJANGO_SETTINGS_MODULE", "AUTHMW_SMTP_URL"):
        env.pop(name, None)
    return env


@pytest.mark.parametrize("name", EXAMPLES)
def test_make_demo_serves_on_host_and_port(name: str, tmp_path: Path) -> None:
    """``python -m examples.<name>`` (what ``make demo EXAMPLE=<name>`` runs) answers on $PORT."""
    port = free_port()
    env: dict[str, Any] = _example_env(tmp_path, HOST="127.0.0.1", PORT=str(port))
    process = subprocess.Popen(
        [sys.executable, "-m", f"examples.{name}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as reply:
                    assert reply.status == 200
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
    finally:
        process.terminate()
        out, err = process.communicate(timeout=10)
    assert f"http://127.0.0.1:{port}" in out
    if name != "pyramid":  # the Pyramid example is configured from settings (credentials only)
        assert "providers enabled: credentials, email" in err


def test_demo_configuration_error_is_one_clear_line(tmp_path: Path) -> None:
    """A misconfigured provider stops the demo with its message, not a traceback."""
    env = _example_env(tmp_path, AUTHMW_OKTA_ID="id", AUTHMW_OKTA_SECRET="secret")
    env.pop("AUTHMW_OKTA_ISSUER", None)
    result = subprocess.run(
        [sys.executable, "-m", "examples.demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "configuration error: AUTHMW_OKTA_ISSUER is required" in result.stderr
    assert "Traceback" not in result.stderr


def _serve_demo(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], **env: str
) -> tuple[int, str]:
    """``serve_example`` as ``python -m examples.demo`` runs it, in this process: it must stop
    before serving. Returns the exit status and the last line on stderr."""
    from examples.common import serve_example
    from examples.demo.app import create_app

    for name in ("HOST", "AUTHMW_URL", "AUTHMW_SMTP_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as stopped:
        serve_example(create_app, "authmw demo")
    assert isinstance(stopped.value.code, int)
    return stopped.value.code, capsys.readouterr().err.splitlines()[-1]


@pytest.mark.parametrize(
    "url", ["postgresql://postgres@127.0.0.1:{port}/x", "sqlite:////nonexistent/folder/x.db"]
)
def test_R_7_demo_with_its_database_down_says_so_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], url: str
) -> None:
    """A database that cannot be reached at start (tables are created then) is one line."""
    database = url.format(port=free_port())
    status, last = _serve_demo(monkeypatch, capsys, AUTHMW_DATABASE_URL=database)
    assert status == 1
    assert last.startswith("authmw: cannot start: database unavailable")


@pytest.mark.parametrize("port", ["abc", "0", "70000", "\u0663"])
def test_demo_with_a_bad_port_says_so_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], port: str
) -> None:
    status, last = _serve_demo(monkeypatch, capsys, PORT=port)
    assert status == 2
    assert (
        last == f"authmw: configuration error: PORT must be a number from 1 to 65535, not {port!r}"
    )


def test_demo_on_a_port_in_use_says_so_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        database = str(tmp_path / "demo.sqlite3")
        status, last = _serve_demo(
            monkeypatch, capsys, PORT=str(port), AUTHMW_DATABASE_URL=database
        )
    assert status == 1
    assert last.startswith(f"authmw: cannot listen on 127.0.0.1:{port}: ") and "in use" in last


def test_make_demo_lists_the_examples_for_an_unknown_one() -> None:
    result = subprocess.run(
        ["make", "--no-print-directory", "demo", "EXAMPLE=nope"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode != 0
    assert "No example 'nope'. Choose one of: bottle demo django flask pyramid" in result.stdout


def test_demo_database_is_per_checkout() -> None:
    from examples.demo.storage import DEFAULT_DATABASE

    assert DEFAULT_DATABASE == ROOT / "demo.sqlite3"
    assert "/demo.sqlite3" in (ROOT / ".gitignore").read_text().splitlines()


def test_pyramid_development_ini_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    """``pserve examples/pyramid/development.ini``: the ini wires the same app (secret from env)."""
    from paste.deploy import loadapp

    monkeypatch.setenv("AUTHMW_SECRET", SECRET)
    app = webtest.TestApp(loadapp(f"config:{ROOT / 'examples/pyramid/development.ini'}"))
    assert len(app.get("/api/auth/csrf").json["csrfToken"]) == 64
    assert_sign_in_redirect(app.get("/dashboard", status=302), "/dashboard")
    app.get("/api/me", status=401)


def test_demo_answers_on_both_loopback_spellings() -> None:
    """Opened at localhost (a Next.js habit), the demo sends the browser to its own origin."""
    from examples.common import canonical_loopback
    from examples.demo.app import create_app

    app = webtest.TestApp(
        canonical_loopback(
            create_app(secret=SECRET, url="http://127.0.0.1:8000"), "http://127.0.0.1:8000"
        )
    )
    response = app.get("/dashboard?x=1", headers={"Host": "localhost:8000"}, status=302)
    assert response.headers["Location"] == "http://127.0.0.1:8000/dashboard?x=1"
    post = app.post("/api/auth/signout", headers={"Host": "[::1]:8000"}, status=308)
    assert post.headers["Location"] == "http://127.0.0.1:8000/api/auth/signout"
    assert app.get("/", headers={"Host": "127.0.0.1:8000"}).status_int == 200
    app.get("/", headers={"Host": "localhost:9999"}, status=200)  # another port: not an alias
