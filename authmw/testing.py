"""Helpers for your own tests: a signed-in client without a password round trip.

Like Django's ``force_login``::

    from authmw.testing import force_login

    app = webtest.TestApp(auth.wrap(my_app))
    force_login(app, auth, {"id": "1", "email": "alice@example.com", "role": "admin"})
    app.get("/admin")  # signed in

The session is made by :meth:`Auth.sign_in`, so the ``sign_in``/``jwt`` callbacks, database
sessions and events behave as after a real sign-in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from webob import Request

from .config import Auth

__all__ = ["force_login", "session_cookies"]


def session_cookies(
    auth: Auth, user: Mapping[str, Any], *, url: str | None = None, provider: str | None = None
) -> dict[str, str]:
    """The cookies (name -> value) a browser holds after *user* signs in.

    :param url: the app's URL the test talks to (default: ``auth.url``, else
        ``http://localhost``); an https URL gives the ``__Secure-`` cookie names.
    :param provider: as for :meth:`Auth.sign_in`.
    """
    environ = Request.blank("/", base_url=url or auth.url or "http://localhost").environ
    cookies: dict[str, str] = {}
    for _, header in auth.sign_in(environ, user, provider=provider):
        pair, _, attributes = header.partition(";")
        name, _, value = pair.strip().partition("=")
        if "max-age=0" not in attributes.lower().replace(" ", ""):
            cookies[name] = value
    return cookies


def force_login(
    client: Any, auth: Auth, user: Mapping[str, Any], *, url: str | None = None
) -> dict[str, str]:
    """Put a session for *user* into a test *client*'s cookies and return them.

    Works with WebTest's ``TestApp`` and Flask's test client (``set_cookie``), Django's test
    ``Client`` (``cookies[name] = value``) and ``requests.Session`` (``cookies.set``).
    """
    cookies = session_cookies(auth, user, url=url)
    for name, value in cookies.items():
        if callable(getattr(client, "set_cookie", None)):
            client.set_cookie(name, value)
        elif callable(getattr(client.cookies, "set", None)):
            client.cookies.set(name, value)
        else:
            client.cookies[name] = value
    return cookies
