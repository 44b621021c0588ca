"""Short-lived signed strings (itsdangerous), for the callback-url and OAuth 1 cookies.

Values are serialized URL-safe (base64 of JSON), so any string fits in a cookie unescaped.
Secrets are given newest-first like everywhere in authmw: the first signs, every one verifies.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from itsdangerous import BadData, URLSafeTimedSerializer

from ..errors import ConfigurationError
from ..options import check_secrets

__all__ = ["SignedValues"]


class SignedValues:
    """Sign strings for one purpose (*salt*) and read them back within an optional max age."""

    __slots__ = ("_serializer",)

    def __init__(self, secrets: Sequence[str], *, salt: str) -> None:
        check_secrets(secrets, owner="SignedValues")
        if not salt:
            raise ConfigurationError("SignedValues needs a salt naming its purpose")
        # itsdangerous wants keys oldest-first and signs with the last one.
        self._serializer = URLSafeTimedSerializer(
            list(reversed(secrets)),
            salt=salt,
            signer_kwargs={"digest_method": hashlib.sha256},
        )

    def __repr__(self) -> str:
        return "SignedValues(<secrets>)"

    def sign(self, value: str) -> str:
        """A URL- and cookie-safe signed, timestamped form of *value*."""
        return self._serializer.dumps(value)

    def unsign(self, value: object, *, max_age: int | None = None) -> str | None:
        """The original string, or None if *value* is tampered, expired, foreign or not a str."""
        if not isinstance(value, str) or not value:
            return None
        try:
            result = self._serializer.loads(value, max_age=max_age)
        except (BadData, UnicodeError, ValueError, TypeError):
            return None
        return result if isinstance(result, str) else None
