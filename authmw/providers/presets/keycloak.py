"""Keycloak (OpenID Connect); the issuer is your own, e.g. ``https://keycloak.example/realms/REALM``."""

from __future__ import annotations

from typing import Any

from ..oidc import OIDCProvider


class Keycloak(OIDCProvider):
    """Sign in with Keycloak."""

    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        client_secret: str,
        id: str = "keycloak",
        name: str = "Keycloak",
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
