"""Microsoft Entra ID (Azure AD) v2.0 endpoints, for one tenant."""

from __future__ import annotations

from typing import Any

from ...errors import ConfigurationError
from ..oidc import OIDCProvider

_MULTI = frozenset({"common", "organizations", "consumers"})


class MicrosoftEntraID(OIDCProvider):
    """Sign in with Microsoft Entra ID.

    :param tenant: the directory (tenant) id; the issuer is
        ``https://login.microsoftonline.com/<tenant>/v2.0``. The multi-tenant aliases
        (``common``...) are refused: their tokens cannot be checked against one issuer.
    """

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        tenant: str | None = None,
        issuer: str | None = None,
        id: str = "microsoft-entra-id",
        name: str = "Microsoft Entra ID",
        **options: Any,
    ) -> None:
        if issuer is None:
            if not tenant or tenant in _MULTI:
                raise ConfigurationError("MicrosoftEntraID needs a tenant id (not common)")
            issuer = f"https://login.microsoftonline.com/{tenant}/v2.0"
        super().__init__(
            id=id,
            name=name,
            issuer=issuer,
            client_id=client_id,
            client_secret=client_secret,
            **options,
        )
