"""Okta (OpenID Connect); the issuer is your own, e.g. ``https://YOUR_ORG.okta.com/oauth2/default``."""

from __future__ import annotations

from typing import Any

from ..oidc import OIDCProvider


class Okta(OIDCProvider):
    """Sign in with Okta."""

    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        client_secret: str,
        id: str = "okta",
        name: str = "Okta",
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
