"""next-auth v4's own browser client (next-auth/react) against authmw, in Debian's Chromium.

``package.json`` here pins next-auth 4.24, React and esbuild; ``npm ci --no-audit --no-fund``
in this folder installs them (``make test`` and ``.ci/run`` do it). The ``client_bundle``
fixture bundles ``src/index.jsx`` with esbuild into ``build/`` (ignored by git) when the bundle
is missing or older than its sources. ``client_server`` serves an authmw-wrapped app on a free
127.0.0.1 port with a real WSGI server: the test page at ``/`` and the auth endpoints at
``/api/auth/*`` on the same origin, a credentials provider and an email provider that sends
through a real SMTP server (aiosmtpd).
"""

from __future__ import annotations

import os
import shutil
import socketserver
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from authmw import Auth, CredentialsProvider
from authmw.adapters.sql import SQLAdapter
from authmw.mail import SMTPSender
from authmw.providers.email import EmailProvider
from tests.support import Inbox, smtp_capture

HERE = Path(__file__).parent
NODE_MODULES = HERE / "node_modules"
ESBUILD = NODE_MODULES / ".bin" / "esbuild"
SOURCES = HERE / "src"
BUNDLE = HERE / "build" / "client.js"
#: The files whose change means the bundle must be rebuilt.
BUILD_INPUTS = (HERE / "package-lock.json", Path(__file__))

SECRET = "c" * 32 + "-next-auth-client-tests"
BASE_PATH = "/api/auth"
USER = {"id": "7", "name": "Alice", "email": "alice@example.com"}
PASSWORD = "correct horse battery staple"

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>next-auth client against authmw</title></head>
<body><div id="root"></div><script src="/client.js"></script></body>
</html>
"""


def _missing(reason: str) -> None:
    if os.environ.get("AUTHMW_REQUIRE_SERVICES") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def _needs_build() -> bool:
    if not BUNDLE.exists():
        return True
    built = BUNDLE.stat().st_mtime
    inputs = [*SOURCES.rglob("*"), *BUILD_INPUTS]
    return any(path.stat().st_mtime > built for path in inputs if path.is_file())


@pytest.fixture(scope="session")
def client_bundle() -> Path:
    """``build/client.js``: next-auth/react and the test view, bundled for the browser."""
    if not (NODE_MODULES / "next-auth" / "package.json").exists() or not ESBUILD.exists():
        _missing(
            f"next-auth's client is not installed: run `npm ci --no-audit --no-fund` in {HERE}"
        )
    if _needs_build():
        # Written beside the bundle, then renamed: a parallel run never reads half a file.
        partial = BUNDLE.with_name(f".client.{os.getpid()}.js")
        command = [
            str(ESBUILD),
            str(SOURCES / "index.jsx"),
            "--bundle",
            "--format=iife",
            "--target=chrome110",
            "--jsx=automatic",
            "--minify",
            "--log-level=warning",
            '--define:process.env.NODE_ENV="production"',
            # next-auth/react reads process.env.NEXTAUTH_URL (and NEXTAUTH_URL_INTERNAL,
            # VERCEL_URL) for its base URL: left unset, it takes the path /api/auth, which
            # SessionProvider's basePath prop also sets. There is no `process` in a browser.
            "--define:process.env={}",
            f"--outfile={partial}",
        ]
        done = subprocess.run(command, cwd=HERE, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            partial.unlink(missing_ok=True)
            pytest.fail(f"esbuild failed:\n{done.stdout}\n{done.stderr}")
        os.replace(partial, BUNDLE)
    return BUNDLE


# -- mail ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def smtp_inbox() -> Iterator[tuple[Inbox, int]]:
    with smtp_capture() as capture:
        yield capture


# -- the app ------------------------------------------------------------------------------


@dataclass
class Recorder:
    """What the ``jwt`` callback saw: one ``{"trigger", "session"}`` per call."""

    jwt_calls: list[dict[str, Any]] = field(default_factory=list)

    def jwt(self, token: dict[str, Any], trigger: str | None = None, session: Any = None) -> Any:
        self.jwt_calls.append({"trigger": trigger, "session": session})
        if trigger == "update" and isinstance(session, dict) and "nickname" in session:
            token["nickname"] = session["nickname"]
        return token

    @staticmethod
    def session(session: dict[str, Any], token: dict[str, Any]) -> dict[str, Any]:
        if "nickname" in token:
            session["user"]["nickname"] = token["nickname"]
        return session


def authorize(credentials: dict[str, str], request: Any) -> dict[str, Any] | None:
    if credentials.get("email") == USER["email"] and credentials.get("password") == PASSWORD:
        return dict(USER)
    return None


def page_app(bundle: Path) -> Callable[..., Iterable[bytes]]:
    """The app authmw wraps: the test page at ``/``, the bundle, a plain page elsewhere."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/")
        if path == "/client.js":
            body, ctype = bundle.read_bytes(), "text/javascript; charset=utf-8"
        elif path == "/":
            body, ctype = PAGE.encode(), "text/html; charset=utf-8"
        else:
            body, ctype = f"<!doctype html><title>{path}</title>".encode(), "text/html"
        cache = "max-age=600" if path == "/client.js" else "no-store"
        start_response("200 OK", [("Content-Type", ctype), ("Cache-Control", cache)])
        return [body]

    return app


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True  # Chromium may hold idle connections open; they must not block


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class ClientServer:
    origin: str
    inbox: Inbox
    recorder: Recorder
    password: str = PASSWORD  # Alice's (alice@example.com)


@pytest.fixture(scope="session")
def client_server(client_bundle: Path, smtp_inbox: tuple[Inbox, int]) -> Iterator[ClientServer]:
    inbox, smtp_port = smtp_inbox
    recorder = Recorder()
    server = make_server("127.0.0.1", 0, page_app(client_bundle), _ThreadingServer, _QuietHandler)
    origin = f"http://127.0.0.1:{server.server_port}"
    folder = tempfile.mkdtemp(prefix="authmw-client-")
    adapter = SQLAdapter(Path(folder) / "client.sqlite3", create_tables=True)
    auth = Auth(
        secret=SECRET,
        url=origin,
        base_path=BASE_PATH,
        adapter=adapter,
        session={"strategy": "jwt"},
        providers=[
            CredentialsProvider(
                authorize=authorize,
                credentials={
                    "email": {"label": "Email", "type": "email"},
                    "password": {"label": "Password", "type": "password"},
                },
            ),
            EmailProvider(sender=SMTPSender.from_url(f"smtp://127.0.0.1:{smtp_port}", timeout=5)),
        ],
        callbacks={"jwt": recorder.jwt, "session": recorder.session},
    )
    server.set_app(auth.wrap(page_app(client_bundle)))
    thread = threading.Thread(target=server.serve_forever, name="client-server", daemon=True)
    thread.start()
    try:
        yield ClientServer(origin, inbox, recorder)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        adapter.close()
        shutil.rmtree(folder, ignore_errors=True)


# -- the browser page ---------------------------------------------------------------------


@dataclass
class ClientPage:
    """The test page in Chromium, with every console message since it was loaded."""

    page: Any
    server: ClientServer
    console: list[str] = field(default_factory=list)

    def call(self, expression: str, arg: Any = None) -> Any:
        """Evaluate ``async (arg) => ...`` in the page and return its (JSON) result."""
        return self.page.evaluate(expression, arg)

    def wait_status(self, status: str, timeout: float = 5000) -> None:
        self.page.wait_for_selector(f'#status[data-status="{status}"]', timeout=timeout)

    def statuses(self) -> list[str]:
        result: list[str] = self.call("() => [...window.nextAuth.statuses]")
        return result

    def cookie(self, suffix: str) -> str | None:
        for cookie in self.page.context.cookies(self.server.origin):
            if cookie["name"].endswith(suffix):
                value: str = cookie["value"]
                return value
        return None

    def nextauth_messages(self) -> list[str]:
        return [text for text in self.console if "[next-auth]" in text]


@dataclass
class _Tab:
    page: Any
    console: list[str]


@pytest.fixture(scope="module")
def _client_tab(chromium: Any) -> Iterator[_Tab]:
    """One browser context and page for the module; each test starts it afresh (cheaper than a
    new context per test, and the bundle stays in its HTTP cache)."""
    context = chromium.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    tab = _Tab(page, [])
    page.on("console", lambda message: tab.console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: tab.console.append(f"pageerror: {error}"))
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def client_page(_client_tab: _Tab, client_server: ClientServer) -> Iterator[ClientPage]:
    """The test page freshly loaded with no cookies, its view rendered."""
    client_server.recorder.jwt_calls.clear()
    page = _client_tab.page
    # No cookies: anonymous. (localStorage keeps the client's last broadcast; a new document
    # only listens for changes made by other documents, so it starts clean all the same.)
    page.context.clear_cookies()
    _client_tab.console.clear()
    view = ClientPage(page, client_server, _client_tab.console)
    page.goto(client_server.origin + "/")
    page.wait_for_selector("#status")
    yield view
    assert not view.nextauth_messages(), f"next-auth logged errors: {view.nextauth_messages()}"
    page_errors = [text for text in view.console if text.startswith("pageerror:")]
    assert not page_errors, f"uncaught errors in the page: {page_errors}"
