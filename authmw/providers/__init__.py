"""Sign-in providers: OAuth 2 / OpenID Connect, OAuth 1.0a, credentials and email."""

from .base import Provider, SignInResult
from .credentials import CredentialsProvider

__all__ = ["CredentialsProvider", "Provider", "SignInResult"]
