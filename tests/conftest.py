"""Shared fixtures: an authmw configuration, a wrapped app, a signed-in browser, local IdPs.

The plain helpers behind them live in ``tests/support.py`` (signing in) and
``tests/providers/idp.py`` (the identity providers), for test modules to import.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import webtest

from authmw import Auth, CredentialsProvider, get_session
from tests import support
from tests.support import PASSWORDS, USERS

if TYPE_CHECKING:
    from tests.providers.idp import OAuth1Server, TestOP
    from tests.providers.idp_logout import LogoutOP

#: The repository root, so ``examples`` (not an installed package) imports in every folder.
ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

#: Folders whose tests run with coverage paused (pytest-cov's ``no_cover``). They replay paths
#: the rest of the suite already covers, line for line and branch for branch, thousands of times
#: (fuzz, scale) or behind a browser or a subprocess (browser, examples), and tracing them cost
#: about a tenth of the run's CPU time. A line only they reach shows as missed: give it a test.
UNMEASURED = {"fuzz", "scale", "browser", "examples"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    tests = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(tests) and item.path.relative_to(tests).parts[0] in UNMEASURED:
            item.add_marker(pytest.mark.no_cover)


#: Tests that run on one worker, each group: the browser tests (one Chromium and one demo) and
#: the fault tests (one PostgreSQL cluster and one redis-server of their own).
TOGETHER = ("tests/browser/", "tests/scale/test_faults.py")


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist load`` (the default here), except that each group in TOGETHER shares a worker.

    On two cores, three Chromiums (one per worker) each serving the demo ran the browser tests
    slower than one does, at three times the CPU, and each worker surveyed the same page looks
    again. (xdist's own ``loadgroup`` cannot do this under pytest 9.2, whose node ids it no
    longer rewrites.)
    """
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class GroupsTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return next((group for group in TOGETHER if nodeid.startswith(group)), nodeid)

    return GroupsTogether(config, log)


SECRET = "s" * 32 + "-test-secret"
URL = "http://localhost"


def authorize(credentials: dict[str, str], request: Any) -> dict[str, Any] | None:
    email = credentials.get("email", "")
    if PASSWORDS.get(email) == credentials.get("password"):
        return dict(USERS[email])
    return None


def jwt_with_role(token: dict[str, Any], user: dict[str, Any] | None = None) -> dict[str, Any]:
    if user and "role" in user:
        token["role"] = user["role"]
    return token


def session_with_role(session: dict[str, Any], token: dict[str, Any]) -> dict[str, Any]:
    session["user"]["role"] = token.get("role")
    return session


def credentials_provider(**overrides: Any) -> CredentialsProvider:
    options: dict[str, Any] = {
        "authorize": authorize,
        "credentials": {
            "email": {"label": "Email", "type": "email"},
            "password": {"label": "Password", "type": "password"},
        },
    }
    options.update(overrides)
    return CredentialsProvider(**options)


def echo_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Answers with the session it sees, as JSON."""
    session = get_session(environ)
    body = json.dumps({"path": environ["PATH_INFO"], "session": session}).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]


@pytest.fixture
def make_auth() -> Callable[..., Auth]:
    def factory(**options: Any) -> Auth:
        defaults: dict[str, Any] = {
            "secret": SECRET,
            "url": URL,
            "providers": [credentials_provider()],
            "callbacks": {"jwt": jwt_with_role, "session": session_with_role},
        }
        defaults.update(options)
        return Auth(**defaults)

    return factory


@pytest.fixture
def make_app(make_auth: Callable[..., Auth]) -> Callable[..., webtest.TestApp]:
    def factory(rules: Iterable[Any] = (), app: Any = echo_app, **options: Any) -> webtest.TestApp:
        auth = options.pop("auth", None) or make_auth(**options)
        return webtest.TestApp(auth.wrap(app, rules=rules))

    return factory


@pytest.fixture
def app(make_app: Callable[..., webtest.TestApp]) -> webtest.TestApp:
    return make_app(
        rules=[
            {"path": "/dashboard/**", "signed_in": True},
            {"path": "/admin/**", "roles": ["admin"]},
            {"path": "/api/**", "signed_in": True, "api": True},
        ]
    )


@pytest.fixture
def csrf_token() -> Callable[[webtest.TestApp], str]:
    """``csrf_token(app)``: GET /csrf and return the token (the cookie is kept by the app)."""
    return support.csrf_token


@pytest.fixture
def sign_in() -> Callable[..., webtest.TestResponse]:
    """``sign_in(app, email=..., password=..., status=...)``: POST the credentials callback."""
    return support.sign_in


@pytest.fixture
def make_credentials() -> Callable[..., CredentialsProvider]:
    """``make_credentials(authorize=...)``: the test credentials provider with overrides."""
    return credentials_provider


@pytest.fixture
def op() -> Iterator[TestOP]:
    """A fresh test OpenID provider served on 127.0.0.1."""
    from tests.providers import idp  # imported on first use: it makes RSA keys

    server = idp.TestOP()
    with support.serve(server) as base:
        server.base = server.issuer = base
        yield server


@pytest.fixture
def logout_op() -> Iterator[LogoutOP]:
    """A fresh test OpenID provider with an ``end_session_endpoint`` (RP-initiated logout),
    served on 127.0.0.1; register post-logout redirect URIs on ``post_logout_redirect_uris``."""
    from tests.providers import idp_logout

    server = idp_logout.LogoutOP()
    with support.serve(server) as base:
        server.base = server.issuer = base
        yield server


@pytest.fixture
def oauth1_server() -> Iterator[OAuth1Server]:
    """A fresh OAuth 1.0a provider served on 127.0.0.1."""
    from tests.providers import idp

    server = idp.OAuth1Server()
    with support.serve(server) as base:
        server.base = base
        yield server
