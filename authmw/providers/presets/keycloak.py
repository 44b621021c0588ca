"""Keycloak (OpenID Connect); the issuer is your own, e.g. ``https://keycloak.example/realms/REALM``."""

from __future__ import annotations

from ._issuer import IssuerPreset


class Keycloak(IssuerPreset):
    """Sign in with Keycloak."""

    default_id = "keycloak"
    default_name = "Keycloak"
