"""A generic OpenID Connect provider for any issuer (id ``oidc`` by default)."""

from __future__ import annotations

from typing import Any

from ..oidc import OIDCProvider


class OIDC(OIDCProvider):
    """Any OpenID Connect issuer: scope ``openid email profile``, PKCE + state + nonce,
    ``client_secret_basic``; the redirect URI is ``{origin}{base_path}/callback/<id>``."""

    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        client_secret: str,
        id: str = "oidc",
        name: str = "OpenID Connect",
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
