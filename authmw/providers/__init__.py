"""Sign-in providers: OAuth 2 / OpenID Connect, OAuth 1.0a, credentials and email."""

from .base import Provider, SignInResult
from .credentials import CredentialsProvider
from .email import EmailProvider
from .oauth1 import OAuth1Provider
from .oauth2 import OAuth2Provider
from .oidc import OIDCProvider

__all__ = [
    "CredentialsProvider",
    "EmailProvider",
    "OAuth1Provider",
    "OAuth2Provider",
    "OIDCProvider",
    "Provider",
    "SignInResult",
]
