"""NextAuth's double-submit CSRF token: checklist S-X1 and B-C14."""

from __future__ import annotations

import hashlib
import re

import pytest

from authmw.errors import ConfigurationError
from authmw.security.csrf import CsrfTokens

SECRET = "first-secret-0123456789abcdef"
OLD = "older-secret-0123456789abcdef"
TOKEN = "a" * 32 + "0123456789abcdef0123456789abcdef"


def nextauth_cookie(token: str, secret: str) -> str:
    """The cookie value NextAuth itself writes (computed independently of authmw)."""
    return f"{token}|{hashlib.sha256(f'{token}{secret}'.encode()).hexdigest()}"


@pytest.fixture
def csrf() -> CsrfTokens:
    return CsrfTokens([SECRET, OLD])


def test_S_X1_issue_makes_token_and_nextauth_cookie(csrf: CsrfTokens) -> None:
    token, cookie = csrf.issue(None)
    assert re.fullmatch(r"[0-9a-f]{64}", token)
    assert cookie == nextauth_cookie(token, SECRET)  # the first secret hashes new cookies


def test_S_X1_valid_cookie_is_reused(csrf: CsrfTokens) -> None:
    token, cookie = csrf.issue(None)
    assert csrf.issue(cookie) == (token, None)
    assert csrf.read(cookie) == token


def test_S_X1_tokens_are_random(csrf: CsrfTokens) -> None:
    assert len({csrf.issue(None)[0] for _ in range(1000)}) == 1000


def test_S_X1_matching_submission_verifies(csrf: CsrfTokens) -> None:
    token, cookie = csrf.issue(None)
    assert cookie is not None
    assert csrf.verify(cookie, token)


def test_S_X1_cookie_written_by_nextauth_verifies(csrf: CsrfTokens) -> None:
    assert csrf.verify(nextauth_cookie(TOKEN, SECRET), TOKEN)
    # NextAuth's serializer sends "|" as %7C; a cookie layer that did not decode it still works
    assert csrf.verify(nextauth_cookie(TOKEN, SECRET).replace("|", "%7C"), TOKEN)


def test_S_X1_rotation_old_secret_still_verifies(csrf: CsrfTokens) -> None:
    old_cookie = nextauth_cookie(TOKEN, OLD)
    assert csrf.verify(old_cookie, TOKEN)
    assert csrf.issue(old_cookie) == (TOKEN, None)
    assert not CsrfTokens([SECRET]).verify(old_cookie, TOKEN)  # after removal: rejected


@pytest.mark.parametrize(
    ("cookie", "submitted"),
    [
        (None, TOKEN),  # missing cookie
        (nextauth_cookie(TOKEN, SECRET), None),  # missing field
        (nextauth_cookie(TOKEN, SECRET), ""),
        (nextauth_cookie(TOKEN, SECRET), "b" * 64),  # field != cookie token
        (nextauth_cookie(TOKEN, SECRET), TOKEN.upper()),
        (nextauth_cookie(TOKEN, SECRET), TOKEN + " "),
        (nextauth_cookie(TOKEN, SECRET), TOKEN[:-1]),
        (nextauth_cookie(TOKEN, "another-secret"), TOKEN),  # cookie from another secret
        (TOKEN + "|" + "0" * 64, TOKEN),  # wrong hash
        (TOKEN, TOKEN),  # no hash at all
        (TOKEN + "|", TOKEN),
        (nextauth_cookie(TOKEN, SECRET)[:-1], TOKEN),  # truncated
        (nextauth_cookie(TOKEN, SECRET) + "0", TOKEN),
        (nextauth_cookie(TOKEN, SECRET).upper(), TOKEN.upper()),
        (nextauth_cookie(TOKEN, SECRET) + "|x", TOKEN),
        ("", ""),
        ("|", ""),
        ("x" * 10_000, "x" * 10_000),
    ],
)
def test_B_C14_bad_cookie_or_field_is_rejected(
    csrf: CsrfTokens, cookie: str | None, submitted: str | None
) -> None:
    assert not csrf.verify(cookie, submitted)


@pytest.mark.parametrize(
    "submitted",
    [[TOKEN], (TOKEN,), {"t": TOKEN}, TOKEN.encode(), 1, 1.5, object(), "\u00e9" * 64, "\ud800"],
    ids=lambda v: type(v).__name__,
)
def test_S_X1_non_str_or_non_ascii_submission_is_false_not_an_error(
    csrf: CsrfTokens, submitted: object
) -> None:
    assert not csrf.verify(nextauth_cookie(TOKEN, SECRET), submitted)


@pytest.mark.parametrize("cookie", [123, b"x", ["a"], "\ud800", "\x00" * 129])
def test_B_C14_hostile_cookie_values_never_raise(csrf: CsrfTokens, cookie: object) -> None:
    assert csrf.read(cookie) is None  # type: ignore[arg-type]
    token, new_cookie = csrf.issue(cookie)  # type: ignore[arg-type]
    assert new_cookie == nextauth_cookie(token, SECRET)


def test_S_X1_invalid_cookie_is_replaced(csrf: CsrfTokens) -> None:
    token, cookie = csrf.issue(nextauth_cookie(TOKEN, "another-secret"))
    assert token != TOKEN
    assert cookie == nextauth_cookie(token, SECRET)


def test_S_X1_secrets_are_required_and_hidden() -> None:
    for bad in ([], (), "a-single-string", [""]):
        with pytest.raises(ConfigurationError):
            CsrfTokens(bad)
    assert SECRET not in repr(CsrfTokens([SECRET]))
