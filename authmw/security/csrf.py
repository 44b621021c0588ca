"""NextAuth's double-submit CSRF token.

The cookie holds ``token|sha256_hex(token + secret)``; a POST is valid when that hash verifies
under one of the secrets and the submitted ``csrfToken`` equals the token. The token is 32 random
bytes as 64 lower-case hex characters and is reused for as long as its cookie stays valid.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets as _random
from collections.abc import Sequence

from ..options import check_secrets

__all__ = ["CsrfTokens"]

_COOKIE = re.compile(r"([0-9a-f]{64})(?:\||%7[Cc])([0-9a-f]{64})")


def _hash(token: str, secret: str) -> str:
    return hashlib.sha256((token + secret).encode()).hexdigest()


class CsrfTokens:
    """Issue and verify CSRF tokens; the first secret hashes new cookies, all verify."""

    __slots__ = ("_secrets",)

    def __init__(self, secrets: Sequence[str]) -> None:
        check_secrets(secrets, owner="CsrfTokens")
        self._secrets = tuple(secrets)

    def __repr__(self) -> str:
        return f"CsrfTokens(<{len(self._secrets)} secrets>)"

    def read(self, cookie_value: str | None) -> str | None:
        """The token in *cookie_value* if its hash verifies under any secret, else None."""
        if not isinstance(cookie_value, str):
            return None
        match = _COOKIE.fullmatch(cookie_value)
        if match is None:
            return None
        token, digest = match.groups()
        valid = False
        for secret in self._secrets:  # no early exit: the same work for every outcome
            valid |= hmac.compare_digest(_hash(token, secret), digest)
        return token if valid else None

    def issue(self, cookie_value: str | None) -> tuple[str, str | None]:
        """``(token, new_cookie_value)``; the cookie value is None when the old one is reused."""
        token = self.read(cookie_value)
        if token is not None:
            return token, None
        token = _random.token_hex(32)
        return token, f"{token}|{_hash(token, self._secrets[0])}"

    def verify(self, cookie_value: str | None, submitted: object) -> bool:
        """True when the cookie verifies and *submitted* equals its token (constant time)."""
        token = self.read(cookie_value)
        if token is None or not isinstance(submitted, str) or not submitted.isascii():
            return False
        return hmac.compare_digest(token, submitted)
