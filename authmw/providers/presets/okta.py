"""Okta (OpenID Connect); the issuer is your own, e.g. ``https://YOUR_ORG.okta.com/oauth2/default``."""

from __future__ import annotations

from ._issuer import IssuerPreset


class Okta(IssuerPreset):
    """Sign in with Okta."""

    default_id = "okta"
    default_name = "Okta"
