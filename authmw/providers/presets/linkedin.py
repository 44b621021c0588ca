"""LinkedIn ("Sign In with LinkedIn using OpenID Connect")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ._issuer import IssuerPreset


class LinkedIn(IssuerPreset):
    """Sign in with LinkedIn."""

    default_id = "linkedin"
    default_name = "LinkedIn"
    default_issuer = "https://www.linkedin.com/oauth"
    default_options: ClassVar[Mapping[str, Any]] = {
        "token_endpoint_auth_method": "client_secret_post"
    }
