"""next-auth v4's ``signOut()`` with ``sign_out_of_provider``: the client follows the
``{"url": ...}`` authmw answers to the provider's end-session page, which sends the browser back
through ``signout-callback`` to the ``callbackUrl``.

The provider is the local ``LogoutOP`` (``logout_op`` fixture): it signs in without a consent
page and checks the ``id_token_hint`` and the registered ``post_logout_redirect_uri`` as a real
provider does, so the whole round trip runs without a click.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from authmw import Auth
from tests.providers import idp
from tests.support import serve

PAGE = (
    b'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>rp logout</title>'
    b'</head><body><div id="root"></div><script src="/client.js"></script></body></html>'
)


@pytest.fixture
def origin(client_bundle: Path, logout_op: Any) -> Iterator[str]:
    """An authmw-wrapped test page (every path) with an OIDC provider that signs out there too."""
    wrapped: list[Any] = []

    def page(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        script = environ["PATH_INFO"] == "/client.js"
        ctype = "text/javascript" if script else "text/html; charset=utf-8"
        start_response("200 OK", [("Content-Type", ctype)])
        return [client_bundle.read_bytes() if script else PAGE]

    with serve(lambda environ, start_response: wrapped[0](environ, start_response)) as url:
        logout_op.post_logout_redirect_uris = [f"{url}/api/auth/signout-callback/oidc"]
        provider = idp.oidc_provider(logout_op, sign_out_of_provider=True)
        wrapped.append(Auth(secret=idp.SECRET, url=url, providers=[provider]).wrap(page))
        yield url


def test_S_S4_sign_out_with_redirect_visits_the_provider_and_lands_on_the_callback_url(
    chromium: Any, origin: str, logout_op: Any
) -> None:
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(origin + "/")
        page.wait_for_selector('#status[data-status="unauthenticated"]')
        page.evaluate("() => { window.nextAuth.signIn('oidc', {callbackUrl: '/home'}) }")
        page.wait_for_url(origin + "/home")
        page.wait_for_selector('#status[data-status="authenticated"]')
        assert logout_op.signed_in == {"user-123"}
        visited: list[str] = []
        page.on("request", lambda request: visited.append(request.url))
        page.evaluate("() => { window.nextAuth.signOut({callbackUrl: '/bye'}) }")
        page.wait_for_url(origin + "/bye")
        assert any(url.startswith(logout_op.base + "/end_session?") for url in visited)
        assert logout_op.ended == ["user-123"] and not logout_op.signed_in
        session = page.evaluate("async () => (await fetch('/api/auth/session')).json()")
        assert session == {}
    finally:
        context.close()
