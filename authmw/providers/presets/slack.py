"""Slack ("Sign in with Slack", OpenID Connect)."""

from __future__ import annotations

from typing import Any

from ..oidc import OIDCProvider


def slack_profile(claims: dict[str, Any], tokens: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": claims.get("https://slack.com/user_id") or claims.get("sub"),
        "name": claims.get("name"),
        "email": claims.get("email"),
        "image": claims.get("picture"),
    }


class Slack(OIDCProvider):
    """Sign in with Slack."""

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        id: str = "slack",
        name: str = "Slack",
        issuer: str = "https://slack.com",
        **options: Any,
    ) -> None:
        options.setdefault("profile", slack_profile)
        options.setdefault("token_endpoint_auth_method", "client_secret_post")
        super().__init__(
            id=id,
            name=name,
            issuer=issuer,
            client_id=client_id,
            client_secret=client_secret,
            **options,
        )
