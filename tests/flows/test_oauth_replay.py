"""A finished OAuth callback cannot be replayed on another instance sharing the store (P-B5).

Two ``Auth`` instances (two workers, two hosts) over one SQLite / PostgreSQL / Redis adapter:
the callback finished on one and replayed, with the same cookies, on the other is refused
before any token request. Without an adapter the markers are per process.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import webtest

from authmw import Auth
from tests.adapters.conftest import BACKENDS, Backend, backend_named
from tests.providers import idp

CHECK_COOKIES = ("authmw.state", "authmw.pkce.code_verifier", "authmw.nonce")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    yield from backend_named(request.param, tmp_path)


def instance(op: Any, adapter: Any = None) -> tuple[Auth, webtest.TestApp]:
    """One worker: its own Auth and provider objects, over the shared *adapter*."""
    provider = idp.oidc_provider(op)
    auth = Auth(secret=idp.SECRET, url="http://localhost", providers=[provider], adapter=adapter)
    return auth, webtest.TestApp(auth.wrap(idp.echo_app))


def finish_then_replay(op: Any, first: webtest.TestApp, second: webtest.TestApp) -> Any:
    """Sign in on *first*; replay the same callback with the same cookies on *second*."""
    start = idp.start(first, "oidc")
    path = idp.callback_path(idp.consent(start.headers["Location"]))
    kept = {name: first.cookies[name] for name in CHECK_COOKIES}
    assert idp.error_of(first.get(path)) is None
    for name, value in kept.items():
        second.set_cookie(name, value)
    return second.get(path, expect_errors=True)


def test_P_B5_replay_on_another_instance_sharing_the_store(op: Any, backend: Backend) -> None:
    adapter = backend.make()
    (auth_a, app_a), (auth_b, app_b) = instance(op, adapter), instance(op, adapter)
    assert auth_a.state_is_shared and auth_b.state_is_shared
    replayed = finish_then_replay(op, app_a, app_b)
    assert replayed.status_int == 302 and idp.error_of(replayed) == "OAuthCallback"
    assert len(op.requests_to("/token")) == 1  # refused before the code is sent again
    assert idp.session_of(app_b) in ({}, None)


def test_P_B5_without_an_adapter_markers_are_per_process(op: Any) -> None:
    """No store: each instance remembers its own flows; another process's replay reaches
    the IdP, which refuses the used code (documented in the README)."""
    (auth_a, app_a), (_auth_b, app_b) = instance(op), instance(op)
    assert not auth_a.state_is_shared
    assert auth_a.providers["oidc"].flow.markers is auth_a.shared_state  # type: ignore[attr-defined]
    replayed = finish_then_replay(op, app_a, app_b)
    assert idp.error_of(replayed) == "OAuthCallback"
    assert len(op.requests_to("/token")) == 2


def test_P_B5_store_down_at_callback_is_a_clear_error(op: Any, tmp_path: Path) -> None:
    for backend in backend_named("sqlite", tmp_path):
        _auth, app = instance(op, backend.down())
        start = idp.start(app, "oidc")
        path = idp.callback_path(idp.consent(start.headers["Location"]))
        response = app.get(path, expect_errors=True)
        assert response.status_int == 302
        assert idp.error_of(response) == "Configuration"
        assert not op.requests_to("/token")
