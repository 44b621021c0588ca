"""Google (OpenID Connect)."""

from __future__ import annotations

from typing import Any

from ..oidc import OIDCProvider


class Google(OIDCProvider):
    """Sign in with Google; the profile keeps ``email_verified``."""

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        id: str = "google",
        name: str = "Google",
        issuer: str = "https://accounts.google.com",
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
