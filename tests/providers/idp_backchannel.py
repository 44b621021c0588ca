"""The test OP's side of OpenID Connect Back-Channel Logout 1.0.

:func:`logout_token` builds and signs a logout token the way :class:`tests.providers.idp.TestOP`
signs its ID tokens (same key, same ``sign_mode`` knobs); :func:`send_logout` delivers it as an
IdP does: a server-to-server ``POST`` of ``logout_token`` over real HTTP to the RP's
``backchannel_logout_uri``.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

import requests

from tests.providers.idp import CLIENT_ID, TestOP

EVENT = "http://schemas.openid.net/event/backchannel-logout"


def logout_claims(op: TestOP, *, sub: str | None = None, sid: str | None = None) -> dict[str, Any]:
    """A valid logout token's claims for *sub* and/or *sid* (§2.4)."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": op.issuer,
        "aud": CLIENT_ID,
        "iat": now,
        "exp": now + 120,
        "jti": secrets.token_urlsafe(16),
        "events": {EVENT: {}},
    }
    if sub is not None:
        claims["sub"] = sub
    if sid is not None:
        claims["sid"] = sid
    return claims


def logout_token(
    op: TestOP, *, sub: str | None = None, sid: str | None = None, **changes: Any
) -> str:
    """A signed logout token; *changes* replace claims (``None`` deletes one)."""
    claims = logout_claims(op, sub=sub, sid=sid)
    for key, value in changes.items():
        if value is None:
            claims.pop(key, None)
        else:
            claims[key] = value
    return op.sign(claims)


def send_logout(url: str, token: str) -> requests.Response:
    """POST *token* to the RP's back-channel logout URL, as the IdP's server does."""
    return requests.post(url, data={"logout_token": token}, timeout=5, allow_redirects=False)
