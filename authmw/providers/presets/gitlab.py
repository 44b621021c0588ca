"""GitLab (OpenID Connect), gitlab.com or a self-hosted instance."""

from __future__ import annotations

from typing import Any

from ..oidc import OIDCProvider


def gitlab_profile(claims: dict[str, Any], tokens: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": claims.get("sub"),
        "name": claims.get("name") or claims.get("nickname"),
        "email": claims.get("email"),
        "image": claims.get("picture"),
    }


class GitLab(OIDCProvider):
    """Sign in with GitLab; pass ``issuer="https://gitlab.example"`` for self-hosted."""

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        id: str = "gitlab",
        name: str = "GitLab",
        issuer: str = "https://gitlab.com",
        **options: Any,
    ) -> None:
        options.setdefault("profile", gitlab_profile)
        super().__init__(
            id=id,
            name=name,
            issuer=issuer,
            client_id=client_id,
            client_secret=client_secret,
            **options,
        )
