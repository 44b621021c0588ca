"""Callbacks: checked against the keywords authmw passes; failures never become a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import webtest

from authmw import Auth, ConfigurationError
from tests.support import sign_in

SECRET = "callbacks-test-secret-" + "x" * 32


@pytest.mark.parametrize(
    ("callbacks", "message"),
    [
        ({"jwt": lambda token, usr=None: token}, r"callbacks.jwt: parameter 'usr' is never passed"),
        ({"session": lambda session, tok: session}, r"'tok'.*receives session, token, user"),
        ({"redirect": lambda url, baseUrl: url}, r"'baseUrl'.*receives base_url, url"),
        ({"sign_in": lambda user, /: True}, r"'user' is never passed"),
    ],
)
def test_unknown_parameter_names_are_refused_at_construction(
    callbacks: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        Auth(secret=SECRET, url="http://localhost", callbacks=callbacks)


def test_events_are_checked_too() -> None:
    with pytest.raises(ConfigurationError, match=r"events\.sign_out: parameter 'user'"):
        Auth(secret=SECRET, url="http://localhost", events={"sign_out": lambda user: None})


def test_known_names_any_subset_and_kwargs_are_fine() -> None:
    Auth(
        secret=SECRET,
        url="http://localhost",
        callbacks={
            "jwt": lambda token, user=None, trigger=None, **rest: token,
            "session": lambda *, session: session,
            "redirect": lambda url, base_url: url,
            "sign_in": lambda **kwargs: True,
        },
        events={"sign_in": lambda user, is_new_user: None},
    )


def _raise(**_: Any) -> Any:
    raise RuntimeError("session callback bug")


def test_a_session_callback_that_raises_answers_empty_json_and_clears_the_cookie(
    make_app: Callable[..., webtest.TestApp], caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(
        rules=[{"path": "/dashboard/**", "signed_in": True}],
        callbacks={"session": _raise},
    )
    sign_in(app)
    assert app.cookies.get("authmw.session-token")
    response = app.get("/api/auth/session", status=200)
    assert response.content_type == "application/json"
    assert response.json == {}
    cleared = [c for c in response.headers.getall("Set-Cookie") if "session-token=" in c]
    assert cleared and "Max-Age=0" in cleared[0]
    assert "session callback bug" not in response.text
    assert "callbacks.session raised" in caplog.text
    app.get("/dashboard", status=302)


# -- the redirect callback: NextAuth's semantics, and what it returns is still checked ------


def test_redirect_callback_sees_the_raw_callback_url_and_may_allow_a_sibling(
    make_app: Callable[..., webtest.TestApp],
) -> None:
    seen: list[tuple[str, str]] = []

    def redirect(url: str, base_url: str) -> str:
        seen.append((url, base_url))
        if url.startswith("https://docs.example/"):
            return url  # a trusted sibling site
        return base_url

    app = make_app(callbacks={"redirect": redirect})
    response = sign_in(app, callbackUrl="https://docs.example/guide", status=302)
    assert response.headers["Location"] == "https://docs.example/guide"
    assert ("https://docs.example/guide", "http://localhost") in seen
    other = sign_in(app, callbackUrl="https://evil.example/", status=302)
    assert other.headers["Location"] == "http://localhost"


@pytest.mark.parametrize(
    "returned",
    [
        "javascript:alert(1)",
        "https://user@evil.example/",
        "https://evil.example/\r\nSet-Cookie: x=1",
        "//evil.example/",
        "ftp://files.example/",
        "data:text/html,hi",
    ],
)
def test_A_NA1_whatever_the_redirect_callback_returns_is_still_checked(
    make_app: Callable[..., webtest.TestApp], returned: str
) -> None:
    app = make_app(callbacks={"redirect": lambda url, base_url: returned})
    response = sign_in(app, callbackUrl="/dashboard", status=302)
    assert response.headers["Location"] == "http://localhost"


def test_a_relative_answer_is_kept_on_the_origin(
    make_app: Callable[..., webtest.TestApp],
) -> None:
    app = make_app(callbacks={"redirect": lambda url, base_url: "/welcome?x=1"})
    response = sign_in(app, status=302)
    assert response.headers["Location"] == "http://localhost/welcome?x=1"
