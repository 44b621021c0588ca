"""What every test folder shares: the test users and signing in the way a browser does.

Test modules import it as ``tests.support``: with ``--import-mode=importlib`` pytest imports
``tests`` as a namespace package rooted at this folder (``tests/conftest.py`` also puts the
repository root on ``sys.path``). The local identity providers live in ``tests/providers/idp.py``
(``from tests.providers import idp``); the ``op`` and ``oauth1_server`` fixtures of the top
conftest serve them with :func:`serve`, which also serves any other WSGI app (importing this
module is cheap: the IdP's RSA keys are made only when ``idp`` is imported).
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import webtest

#: The credentials users of the tests and of the examples (``examples/common.py``).
USERS: dict[str, dict[str, Any]] = {
    "alice@example.com": {"id": "1", "name": "Alice", "email": "alice@example.com", "role": "user"},
    "admin@example.com": {
        "id": "2",
        "name": "Admin",
        "email": "admin@example.com",
        "role": "admin",
    },
}
PASSWORDS = {"alice@example.com": "alice-password", "admin@example.com": "admin-password"}


def csrf_token(app: webtest.TestApp) -> str:
    """GET ``/csrf`` and return the token; the app keeps the cookie for the next POST."""
    token: str = app.get("/api/auth/csrf").json["csrfToken"]
    return token


def sign_in(
    app: webtest.TestApp,
    email: str = "alice@example.com",
    password: str | None = None,
    *,
    status: int | str = "*",
    **form: str,
) -> webtest.TestResponse:
    """POST the credentials callback with a fresh CSRF token, as the built-in sign-in form does.

    *password* defaults to the user's entry in :data:`PASSWORDS` (empty for anyone else);
    *form* adds fields such as ``callbackUrl``; *status* is WebTest's expected status.
    """
    params = {
        "csrfToken": csrf_token(app),
        "email": email,
        "password": PASSWORDS.get(email, "") if password is None else password,
        **form,
    }
    return app.post("/api/auth/callback/credentials", params, status=status)


@contextmanager
def serve(app: Callable[..., Any]) -> Iterator[str]:
    """Serve the WSGI *app* on a free 127.0.0.1 port in a thread; yield its base URL."""
    import werkzeug.serving

    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.005})
    thread.daemon = True
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(2)


def oidc_provider_mock_app(**options: Any) -> Callable[..., Any]:
    """oidc-provider-mock's WSGI app, built without its authlib imports' deprecation notices.

    Importing ``authlib.deprecate`` installs an "always" filter for authlib's warning class in
    front of every other, so it is imported before the "ignore" below goes in front of it.
    """
    import authlib.deprecate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", authlib.deprecate.AuthlibDeprecationWarning)
        import oidc_provider_mock

        app: Callable[..., Any] = oidc_provider_mock.app(**options)
        return app


# -- mail: a real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives -------------


def free_port() -> int:
    """A TCP port nothing listens on right now (127.0.0.1)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def link_of(message: Any) -> str:
    """The sign-in link in a message's text part."""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            for line in part.get_payload(decode=True).decode().splitlines():
                if line.strip().startswith("http"):
                    return str(line.strip())
    raise AssertionError("no link in the mail's text part")


class Inbox:
    """The mail the capture server received, in arrival order: (recipients, message)."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Any]] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        import email

        message = email.message_from_bytes(envelope.content)
        with self.arrived:
            self.messages.append((list(envelope.rcpt_tos), message))
            self.arrived.notify_all()
        return "250 OK"

    def wait(self, count: int, timeout: float = 5.0) -> None:
        """Wait until *count* messages have arrived."""
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.messages) >= count, timeout):
                raise AssertionError(f"expected {count} messages, got {len(self.messages)}")

    def link(self, index: int = -1) -> str:
        """The sign-in link of message *index* (the newest by default)."""
        return link_of(self.messages[index][1])

    def link_for(self, address: str, timeout: float = 5.0) -> str:
        """The sign-in link of the newest message to *address* (waits for it to arrive)."""
        with self.arrived:
            found: list[str] = []

            def arrived() -> bool:
                found[:] = [link_of(m) for rcpt, m in reversed(self.messages) if address in rcpt]
                return bool(found)

            if not self.arrived.wait_for(arrived, timeout):
                raise AssertionError(f"no mail to {address} within {timeout} s")
            return found[0]


@contextmanager
def smtp_capture() -> Iterator[tuple[Inbox, int]]:
    """A capture SMTP server on a free 127.0.0.1 port: ``(inbox, port)``."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()
