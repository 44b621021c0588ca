"""Auth0 (OpenID Connect); the issuer is e.g. ``https://YOUR_DOMAIN.auth0.com/``."""

from __future__ import annotations

from ._issuer import IssuerPreset


class Auth0(IssuerPreset):
    """Sign in with Auth0."""

    default_id = "auth0"
    default_name = "Auth0"
