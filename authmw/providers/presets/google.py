"""Google (OpenID Connect)."""

from __future__ import annotations

from ._issuer import IssuerPreset


class Google(IssuerPreset):
    """Sign in with Google; the profile keeps ``email_verified``."""

    default_id = "google"
    default_name = "Google"
    default_issuer = "https://accounts.google.com"
