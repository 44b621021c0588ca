"""What every test folder shares: the test users and signing in the way a browser does.

Test modules import it as ``tests.support``: with ``--import-mode=importlib`` pytest imports
``tests`` as a namespace package rooted at this folder (``tests/conftest.py`` also puts the
repository root on ``sys.path``). The local identity providers live in ``tests/providers/idp.py``
(``from tests.providers import idp``); the ``op`` and ``oauth1_server`` fixtures of the top
conftest serve them.
"""

from __future__ import annotations

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
