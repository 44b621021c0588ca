"""Amazon Cognito (OpenID Connect); the issuer is your own, e.g. ``https://cognito-idp.REGION.amazonaws.com/POOL_ID``."""

from __future__ import annotations

from typing import Any

from ..oidc import OIDCProvider


class Cognito(OIDCProvider):
    """Sign in with Amazon Cognito."""

    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        client_secret: str,
        id: str = "cognito",
        name: str = "Amazon Cognito",
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
