"""Refresh timing and failure handling (the end-to-end refresh is in tests/flows)."""

from __future__ import annotations

from typing import Any

from authmw import Auth
from authmw.errors import AuthError
from authmw.providers.oauth2 import OAuth2Provider
from authmw.providers.refresh import ERROR, refresh_claims


class Counting(OAuth2Provider):
    """A real provider whose token call is replaced by a scripted answer."""

    answers: list[Any]

    def refresh_tokens(self, refresh_token: str, claims: Any) -> dict[str, Any]:
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return dict(answer)


def provider(*answers: Any, refresh: bool = True) -> Counting:
    p = Counting(
        id="p", name="P", client_id="c", client_secret="s", authorization="https://a.example/a",
        token="https://a.example/t", userinfo="https://a.example/u", refresh=refresh,
    )  # fmt: skip
    p.answers = list(answers)
    return p


def test_no_refresher_without_refresh_providers() -> None:
    auth = Auth(secret="x" * 32, url="http://localhost", providers=[provider(refresh=False)])
    assert auth.token_refresher is None
    auth = Auth(secret="x" * 32, url="http://localhost", providers=[provider()])
    assert auth.token_refresher is not None
    assert auth.token_refresher({"provider": "other", "expires_at": 0}) is None


def test_not_refreshed_before_expiry() -> None:
    assert refresh_claims(provider(), {"expires_at": 10_000, "refresh_token": "r"}, now=0) is None


def test_refresh_rotates_and_keeps_old_refresh_token_when_none_issued() -> None:
    p = provider({"access_token": "a2", "expires_at": 99, "refresh_token": "r2"},
                 {"access_token": "a3"})  # fmt: skip
    claims = {"access_token": "a1", "expires_at": 0, "refresh_token": "r1", "error": ERROR}
    fresh = refresh_claims(p, claims, now=100)
    assert fresh == {"access_token": "a2", "expires_at": 99, "refresh_token": "r2"}
    again = refresh_claims(p, fresh, now=200)
    assert again == {"access_token": "a3", "refresh_token": "r2"}


def test_failure_marks_error_and_backs_off() -> None:
    p = provider(AuthError("OAuthCallback"), RuntimeError("boom"))
    failed = refresh_claims(p, {"expires_at": 0, "refresh_token": "r"}, now=100)
    assert failed is not None and failed["error"] == ERROR
    assert refresh_claims(p, failed, now=110) is None  # within RETRY_AFTER
    again = refresh_claims(p, failed, now=200)
    assert again is not None and again["error"] == ERROR


def test_session_claims_only_with_refresh() -> None:
    account = {"providerAccountId": "1", "access_token": "a", "refresh_token": "r"}
    assert provider(refresh=False).session_claims(account) == {}
    claims = provider().session_claims(account)
    assert claims["provider"] == "p" and claims["refresh_token"] == "r"
