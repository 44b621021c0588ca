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
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(2)
