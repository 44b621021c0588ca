"""Amazon Cognito (OpenID Connect); the issuer is your own, e.g. ``https://cognito-idp.REGION.amazonaws.com/POOL_ID``."""

from __future__ import annotations

from ._issuer import IssuerPreset


class Cognito(IssuerPreset):
    """Sign in with Amazon Cognito."""

    default_id = "cognito"
    default_name = "Amazon Cognito"
