"""The shared shape of presets that are plain OpenID Connect with an issuer you host."""

from __future__ import annotations

from typing import Any, ClassVar

from ..oidc import OIDCProvider


class IssuerPreset(OIDCProvider):
    """An OIDC provider found by discovery at *issuer*; subclasses set the default id and name."""

    default_id: ClassVar[str]
    default_name: ClassVar[str]

    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        client_secret: str,
        id: str | None = None,
        name: str | None = None,
        **options: Any,
    ) -> None:
        super().__init__(
            id=id or self.default_id,
            name=name or self.default_name,
            issuer=issuer,
            client_id=client_id,
            client_secret=client_secret,
            **options,
        )
