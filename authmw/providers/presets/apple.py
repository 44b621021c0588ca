"""Sign in with Apple: OpenID Connect with ``form_post`` and a client secret that is a JWT.

Apple's client secret is an ES256 JWT signed with your private key; pass ``team_id``,
``key_id`` and ``private_key`` (PEM) and authmw mints it (and renews it before it expires),
or pass a ready-made ``client_secret``. The user's name arrives only on the first sign-in,
in the ``user`` form field of the callback POST.
"""

from __future__ import annotations

import json
import threading
import time
from typing import TYPE_CHECKING, Any

from joserfc import jwt
from joserfc.jwk import ECKey

from ...errors import ConfigurationError
from ..oidc import OIDCProvider

if TYPE_CHECKING:
    from ...flow import FlowRequest
    from ..checks import FlowData
    from ..endpoints import Endpoints

ISSUER = "https://appleid.apple.com"
SECRET_LIFETIME = 60 * 60 * 24 * 30  # Apple allows up to six months


def apple_client_secret(
    *, team_id: str, key_id: str, private_key: str, client_id: str, now: float | None = None
) -> str:
    """The ES256 client-secret JWT Apple's token endpoint expects."""
    issued = int(time.time() if now is None else now)
    try:
        key = ECKey.import_key(private_key)
    except Exception:
        raise ConfigurationError("Apple private_key must be an EC P-256 PEM key") from None
    claims = {
        "iss": team_id,
        "iat": issued,
        "exp": issued + SECRET_LIFETIME,
        "aud": ISSUER,
        "sub": client_id,
    }
    return jwt.encode({"alg": "ES256", "kid": key_id}, claims, key)


def apple_profile(claims: dict[str, Any], tokens: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": claims.get("sub"),
        "name": claims.get("name"),
        "email": claims.get("email"),
        "image": None,
    }


class Apple(OIDCProvider):
    """Sign in with Apple."""

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str | None = None,
        team_id: str | None = None,
        key_id: str | None = None,
        private_key: str | None = None,
        id: str = "apple",
        name: str = "Apple",
        issuer: str = ISSUER,
        **options: Any,
    ) -> None:
        self._key_parts = None
        if client_secret is None:
            if not (team_id and key_id and private_key):
                raise ConfigurationError("Apple needs client_secret or team_id/key_id/private_key")
            self._key_parts = (team_id, key_id, private_key)
            client_secret = apple_client_secret(
                team_id=team_id, key_id=key_id, private_key=private_key, client_id=client_id
            )
        self._minted = time.time()
        self._secret_lock = threading.Lock()
        options.setdefault("scope", "openid name email")
        options.setdefault("response_mode", "form_post")
        options.setdefault("checks", ("state", "nonce"))
        options.setdefault("token_endpoint_auth_method", "client_secret_post")
        options.setdefault("profile", apple_profile)
        super().__init__(
            id=id,
            name=name,
            issuer=issuer,
            client_id=client_id,
            client_secret=client_secret,
            **options,
        )

    @property
    def client_secret(self) -> str:
        if self._key_parts is not None and time.time() - self._minted > SECRET_LIFETIME / 2:
            with self._secret_lock:
                team_id, key_id, private_key = self._key_parts
                self._client_secret = apple_client_secret(
                    team_id=team_id,
                    key_id=key_id,
                    private_key=private_key,
                    client_id=self.client_id,
                )
                self._minted = time.time()
        return self._client_secret

    def get_profile(
        self, ctx: FlowRequest, endpoints: Endpoints, tokens: dict[str, Any], flow: FlowData
    ) -> dict[str, Any]:
        claims = super().get_profile(ctx, endpoints, tokens, flow)
        raw = ctx.body.get("user") if ctx.request.method == "POST" else None
        try:
            user = json.loads(raw) if isinstance(raw, str) and len(raw) < 4096 else None
        except ValueError:
            user = None
        name = user.get("name") if isinstance(user, dict) else None
        if isinstance(name, dict):
            parts = [name.get("firstName"), name.get("lastName")]
            full = " ".join(p for p in parts if isinstance(p, str) and p)
            if full:
                claims["name"] = full
        return claims
