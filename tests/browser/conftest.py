"""Browser tests: Debian's Chromium driven by Playwright (no browser download).

``make test`` installs Chromium when it is missing. Without it these tests skip with a reason,
or fail where ``AUTHMW_REQUIRE_SERVICES=1`` (CI) says every part must be there.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# tests.support is cheap to import: no RSA keys, unlike tests/providers/idp.py
from tests.support import Inbox, free_port, oidc_provider_mock_app, serve, smtp_capture

CHROMIUM = os.environ.get("AUTHMW_CHROMIUM", "/usr/bin/chromium")
#: Flags that work on a machine without network or screen (see the env notes).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # No network here: names other than 127.0.0.1 (a CDN stylesheet) fail at once, inside
    # Chromium, instead of each request taking a round trip through a Python route handler.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
#: The repository root, so ``examples`` (not an installed package) imports.
ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
#: Screenshots of every built-in page land here (ignored by git) for a reviewer to look at.
SCREENSHOTS = Path(__file__).parent / "screenshots"


def _require_chromium() -> None:
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return
    reason = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("AUTHMW_REQUIRE_SERVICES") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """One headless Chromium for the whole run."""
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# -- the servers under test: the demo app behind waitress, a test IdP, an SMTP capture ---------


@dataclass(frozen=True)
class Demo:
    """The running demo: its base URL and the mail it sent."""

    url: str
    inbox: Inbox
    idp: str


@pytest.fixture(scope="session")
def demo(chromium: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """examples.demo configured as a person would (environment variables), served by waitress.

    Users and email tokens in a fresh SQLite file, links sent to an aiosmtpd capture server, an
    OpenID Connect provider (oidc-provider-mock, with its consent form and its
    ``end_session_endpoint``) under ``AUTHMW_OIDC_*``, signed out of at sign-out
    (``AUTHMW_SIGN_OUT_OF_PROVIDER=1``).
    """
    from waitress.server import create_server

    from examples.demo.app import create_app

    provider = oidc_provider_mock_app(require_nonce=True)

    with contextlib.ExitStack() as stack:
        inbox, smtp_port = stack.enter_context(smtp_capture())
        issuer = stack.enter_context(serve(provider))
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        folder = tmp_path_factory.mktemp("demo")
        with pytest.MonkeyPatch.context() as env:
            env.setenv("AUTHMW_SECRET", "browser-tests-" + "b" * 32)
            env.setenv("AUTHMW_DATABASE_URL", f"sqlite:///{folder / 'demo.sqlite3'}")
            env.setenv("AUTHMW_SMTP_URL", f"smtp://127.0.0.1:{smtp_port}")
            env.setenv("AUTHMW_OIDC_ID", "browser-tests")
            env.setenv("AUTHMW_OIDC_SECRET", "browser-tests-secret")
            env.setenv("AUTHMW_OIDC_ISSUER", issuer)
            env.setenv("AUTHMW_OIDC_ALLOW_LOOPBACK_HTTP", "1")  # the local IdP is plain http
            env.setenv("AUTHMW_SIGN_OUT_OF_PROVIDER", "1")
            env.delenv("AUTHMW_SESSION_STRATEGY", raising=False)
            app = create_app(url=url)
        server = create_server(app, host="127.0.0.1", port=port, threads=4)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        stack.callback(thread.join, 5)
        stack.callback(server.close)
        yield Demo(url=url, inbox=inbox, idp=issuer)


def open_context(browser: Any, demo: Demo, **options: Any) -> Any:
    """A fresh context (own cookies) on the demo; Playwright's context *options* apply."""
    options.setdefault("base_url", demo.url)
    context = browser.new_context(**options)
    context.set_default_timeout(5_000)
    return context


@pytest.fixture
def new_context(chromium: Any, demo: Demo) -> Iterator[Callable[..., Any]]:
    """Opens fresh browser contexts on the demo; all closed after the test."""
    opened: list[Any] = []

    def new(**options: Any) -> Any:
        opened.append(open_context(chromium, demo, **options))
        return opened[-1]

    yield new
    for context in opened:
        context.close()


@pytest.fixture
def page(new_context: Callable[..., Any]) -> Any:
    """A page in a fresh light-scheme context of the default desktop size."""
    return new_context(color_scheme="light").new_page()


def fill_sign_in_form(page: Any, email_address: str, password: str) -> None:
    """Type into the built-in email-and-password form and press its button, as a person does."""
    form = page.locator("form").filter(has=page.get_by_label("Password"))
    form.get_by_label("Email").fill(email_address)
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name="Sign in with Email and password").click()


@pytest.fixture
def sign_in_with_form() -> Callable[..., None]:
    """``sign_in_with_form(page, email, password)``: the sign-in page, typed into and submitted."""

    def run(page: Any, email_address: str, password: str, *, path: str = "/") -> None:
        page.goto(f"/api/auth/signin?callbackUrl={path}")
        fill_sign_in_form(page, email_address, password)
        page.wait_for_url(f"**{path}")

    return run
