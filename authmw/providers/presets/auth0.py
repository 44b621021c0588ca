"""Auth0 (OpenID Connect); the issuer is e.g. ``https://YOUR_DOMAIN.auth0.com/``."""

from __future__ import annotations

from typing import Any

from ..oidc import OIDCProvider


class Auth0(OIDCProvider):
    """Sign in with Auth0."""

    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        client_secret: str,
        id: str = "auth0",
        name: str = "Auth0",
        **options: Any,
    ) -> None:
        super().__init__(
            id=id,
            name=name,
            issuer=issuer,
            client_id=client_id,
            client_secret=client_secret,
            **options,
        )
