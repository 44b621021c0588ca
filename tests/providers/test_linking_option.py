"""P-E3: email account linking is opt-in on every provider kind."""

from __future__ import annotations

from authmw.providers import OAuth1Provider, OAuth2Provider
from authmw.providers.presets import GitHub


def test_P_E3_linking_is_off_by_default_and_can_be_enabled() -> None:
    plain = OAuth2Provider(
        id="corp",
        name="Corp",
        client_id="id",
        client_secret="s",
        authorization="https://idp.example/authorize",
        token="https://idp.example/token",
        userinfo="https://idp.example/userinfo",
    )
    assert plain.allow_dangerous_email_account_linking is False
    github = GitHub(client_id="id", client_secret="s", allow_dangerous_email_account_linking=True)
    assert github.allow_dangerous_email_account_linking is True
    legacy = OAuth1Provider(
        id="legacy",
        name="Legacy",
        client_id="id",
        client_secret="s",
        request_token_url="https://idp.example/request",
        authorization_url="https://idp.example/authorize",
        access_token_url="https://idp.example/access",
        allow_dangerous_email_account_linking=True,
    )
    assert legacy.allow_dangerous_email_account_linking is True
