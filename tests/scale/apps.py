"""One "instance" of an authmw app as a deployment runs it: an Auth built from shared settings,
served by a real WSGI server in a thread; and a browser (``requests.Session``) that signs in.

Every instance of one test gets the same settings (secret, public ``url``, adapter URL), as
several workers or hosts behind a load balancer do; the browser may talk to any of them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import requests

from authmw import Auth, CredentialsProvider, get_session
from tests import support

SECRET = "m" * 32 + "-many-workers-secret"
PUBLIC_URL = "http://app.test"
SESSION = "authmw.session-token"
RULES = [
    {"path": "/dashboard/**", "signed_in": True},
    {"path": "/api/**", "signed_in": True, "api": True},
]
FIELDS = {"email": {"label": "Email"}, "password": {"label": "Password", "type": "password"}}
HTML = {"Accept": "text/html"}
JSON = {"Accept": "application/json"}


def authorize(credentials: dict[str, str], request: Any) -> dict[str, Any] | None:
    """Any ``*@example.com`` signs in with the password ``pw-<address>``."""
    email = credentials.get("email", "")
    if email.endswith("@example.com") and credentials.get("password") == f"pw-{email}":
        return {"id": f"app-{email}", "name": email.split("@")[0], "email": email}
    return None


def echo_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    """Answers with the path and the session it sees, as JSON."""
    body = json.dumps({"path": environ["PATH_INFO"], "session": get_session(environ)}).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]


def make_auth(adapter: Any, **options: Any) -> Auth:
    """The shared settings of every instance, with a credentials provider."""
    settings: dict[str, Any] = {
        "secret": SECRET,
        "url": PUBLIC_URL,
        "adapter": adapter,
        "providers": [CredentialsProvider(authorize=authorize, credentials=FIELDS)],
        **options,
    }
    return Auth(**settings)


@contextmanager
def instance(auth: Auth) -> Iterator[str]:
    """*auth* wrapping :func:`echo_app` behind a real threaded WSGI server; yields its base URL."""
    with support.serve(auth.wrap(echo_app, rules=RULES)) as base:
        yield base


def sign_in(
    browser: requests.Session, base: str, email: str, password: str | None = None
) -> requests.Response:
    """The credentials sign-in through *base* (CSRF first, as the built-in form does), with
    the right password unless *password* is given."""
    token = browser.get(f"{base}/api/auth/csrf", timeout=10).json()["csrfToken"]
    form = {"csrfToken": token, "email": email, "password": password or f"pw-{email}"}
    url = f"{base}/api/auth/callback/credentials"
    return browser.post(url, data=form, allow_redirects=False, timeout=10)


def sign_out(browser: requests.Session, base: str) -> None:
    """Sign out through *base* (CSRF first, as the built-in page does)."""
    token = browser.get(f"{base}/api/auth/csrf", timeout=10).json()["csrfToken"]
    url = f"{base}/api/auth/signout"
    ended = browser.post(url, data={"csrfToken": token}, allow_redirects=False, timeout=10)
    assert ended.status_code == 302, ended.text[:300]


def email_of(browser: requests.Session, base: str) -> str | None:
    """Whose session ``/api/auth/session`` shows on *base* (``None`` when signed out)."""
    answer = browser.get(f"{base}/api/auth/session", timeout=10)
    assert answer.status_code == 200, answer.text[:300]
    data = answer.json()
    return data["user"]["email"] if data else None
