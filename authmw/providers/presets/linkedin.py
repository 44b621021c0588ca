"""LinkedIn ("Sign In with LinkedIn using OpenID Connect")."""

from __future__ import annotations

from typing import Any

from ..oidc import OIDCProvider


class LinkedIn(OIDCProvider):
    """Sign in with LinkedIn."""

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        id: str = "linkedin",
        name: str = "LinkedIn",
        issuer: str = "https://www.linkedin.com/oauth",
        **options: Any,
    ) -> None:
        options.setdefault("token_endpoint_auth_method", "client_secret_post")
        super().__init__(
            id=id,
            name=name,
            issuer=issuer,
            client_id=client_id,
            client_secret=client_secret,
            **options,
        )
