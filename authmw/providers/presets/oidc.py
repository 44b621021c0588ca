"""A generic OpenID Connect provider for any issuer (id ``oidc`` by default)."""

from __future__ import annotations

from ._issuer import IssuerPreset


class OIDC(IssuerPreset):
    """Any OpenID Connect issuer: scope ``openid email profile``, PKCE + state + nonce,
    ``client_secret_basic``; the redirect URI is ``{origin}{base_path}/callback/<id>``."""

    default_id = "oidc"
    default_name = "OpenID Connect"
