"""What a real token endpoint does with a client assertion (RFC 7523 §3, OIDC Core §9).

``TestOP.assertions`` holds one :class:`AssertionCheck`; with it the test IdP accepts
``client_assertion`` requests whose JWT verifies with the key registered for the client (the
public key for ``private_key_jwt``, the client secret for ``client_secret_jwt``), names the
client in ``iss`` and ``sub``, has the token endpoint URL in ``aud``, is unexpired, short-lived,
and carries a ``jti`` never seen before. Every refusal is recorded with its reason.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, OctKey, OKPKey, RSAKey

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALGS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
        "EdDSA", "HS256", "HS384", "HS512"]  # fmt: skip

Key = RSAKey | ECKey | OKPKey | OctKey


@dataclass
class AssertionCheck:
    """Client id -> the key its assertions must verify with; the audiences accepted."""

    keys: dict[str, Key] = field(default_factory=dict)
    audiences: set[str] = field(default_factory=set)
    seen_jti: set[str] = field(default_factory=set)
    accepted: list[dict[str, Any]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def client(self, form: dict[str, str]) -> str | None:
        """The authenticated client id, or ``None`` (the reason goes to :attr:`refused`)."""
        client_id, reason = self._verify(form)
        if reason:
            self.refused.append(reason)
            return None
        return client_id

    def _verify(self, form: dict[str, str]) -> tuple[str, str]:
        """``(client id, "")`` for a good assertion, else ``("", reason)``."""
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            return "", "assertion type"
        if "client_secret" in form:
            return "", "two client authentication methods"
        raw = form.get("client_assertion", "")
        client_id = _unverified_claims(raw).get("iss")
        key = self.keys.get(client_id) if isinstance(client_id, str) else None
        if key is None:
            return "", "unknown client"
        try:
            token = jwt.decode(raw, key, algorithms=ALGS)
        except JoseError:
            return "", "bad signature"
        claims = token.claims
        now = time.time()
        if claims.get("sub") != client_id or form.get("client_id", client_id) != client_id:
            return "", "iss/sub/client_id differ"
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if not self.audiences.intersection(a for a in audiences if isinstance(a, str)):
            return "", "wrong aud"
        exp, iat = claims.get("exp"), claims.get("iat")
        if not isinstance(exp, int) or exp <= now:
            return "", "expired"
        if not isinstance(iat, int) or exp - iat > 300:
            return "", "lifetime too long"
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti or jti in self.seen_jti:
            return "", "replayed jti"
        self.seen_jti.add(jti)
        self.accepted.append({"header": token.header, "claims": claims})
        return client_id, ""


def _unverified_claims(raw: str) -> dict[str, Any]:
    """The payload of a compact JWT, unverified (only to find whose key checks it)."""
    parts = raw.split(".")
    if len(parts) != 3:
        return {}
    try:
        value = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
