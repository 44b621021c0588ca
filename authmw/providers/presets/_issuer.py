"""The shared shape of presets that are plain OpenID Connect, found by discovery at an issuer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ...errors import ConfigurationError
from ..oidc import OIDCProvider


class IssuerPreset(OIDCProvider):
    """An OIDC provider found by discovery at *issuer*.

    Subclasses set the default id and name, the issuer when the provider has one for everyone
    (``default_issuer``; else *issuer* is required, e.g. your Auth0 domain), and options they
    need unless given (``default_options``, e.g. a profile mapper).
    """

    default_id: ClassVar[str]
    default_name: ClassVar[str]
    default_issuer: ClassVar[str | None] = None
    default_options: ClassVar[Mapping[str, Any]] = {}

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str | None = None,
        issuer: str | None = None,
        id: str | None = None,
        name: str | None = None,
        **options: Any,
    ) -> None:
        issuer = issuer or self.default_issuer
        if issuer is None:
            raise ConfigurationError(f"{type(self).__name__} needs issuer=...")
        super().__init__(
            id=id or self.default_id,
            name=name or self.default_name,
            issuer=issuer,
            client_id=client_id,
            client_secret=client_secret,
            **{**self.default_options, **options},
        )
