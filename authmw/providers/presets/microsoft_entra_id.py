"""Microsoft Entra ID (Azure AD) v2.0 endpoints, for one tenant."""

from __future__ import annotations

from typing import Any

from ...errors import ConfigurationError
from ._issuer import IssuerPreset

_MULTI = frozenset({"common", "organizations", "consumers"})


class MicrosoftEntraID(IssuerPreset):
    """Sign in with Microsoft Entra ID.

    :param tenant: the directory (tenant) id; the issuer is
        ``https://login.microsoftonline.com/<tenant>/v2.0``. The multi-tenant aliases
        (``common``...) are refused: their tokens cannot be checked against one issuer.
    """

    default_id = "microsoft-entra-id"
    default_name = "Microsoft Entra ID"

    def __init__(
        self, *, tenant: str | None = None, issuer: str | None = None, **options: Any
    ) -> None:
        if issuer is None:
            if not tenant or tenant in _MULTI:
                raise ConfigurationError("MicrosoftEntraID needs a tenant id (not common)")
            issuer = f"https://login.microsoftonline.com/{tenant}/v2.0"
        super().__init__(issuer=issuer, **options)
