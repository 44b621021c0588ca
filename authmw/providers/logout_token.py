"""Logout tokens of OpenID Connect Back-Channel Logout 1.0 (§2.4), validated as §2.6 says.

The signature is checked by the ID-token code (:func:`~authmw.providers.idtoken.verify_signature`:
the same allowed algorithms, never ``none``, no keys taken from the header), then the claims:
``iss``, ``aud``, ``iat`` (not in the future, not older than ``max_iat_age``), ``exp`` when
present, the back-channel ``events`` member, no ``nonce`` (so an ID token is never taken for a
logout token), ``sub`` and/or ``sid``, and a ``jti`` seen once: it is kept in the shared state
(every worker sees it) until the token could no longer be accepted anyway.
"""

from __future__ import annotations

import base64
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..state import SharedState
from ..util.numbers import finite_number
from ..util.strict_json import DECODER
from .idtoken import IdTokenError, IdTokenPolicy, KeyLookup, verify_signature

#: The ``events`` member that makes a JWT a logout token (§2.4).
EVENT = "http://schemas.openid.net/event/backchannel-logout"
#: ``typ`` values accepted in the header (§2.4 recommends ``logout+jwt``).
_TYPES = (None, "JWT", "logout+jwt", "application/logout+jwt")
_MAX_ID = 255


class LogoutTokenError(IdTokenError):
    """The logout token is invalid; the message names the failed check (for logs only)."""


@dataclass(frozen=True)
class LogoutRequest:
    """Whose sessions a valid logout token ends: an IdP session (*sid*) or subject (*sub*)."""

    provider: str
    sub: str | None
    sid: str | None
    jti: str


def _identifier(claims: Mapping[str, Any], name: str) -> str | None:
    value = claims.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value or len(value) > _MAX_ID or not value.isascii():
        raise LogoutTokenError(f"{name} malformed")
    return value


def check_logout_claims(claims: Mapping[str, Any], policy: IdTokenPolicy, now: float) -> float:
    """Check the claims of a logout token whose signature is valid.

    :returns: until when (epoch seconds) its ``jti`` must be remembered.
    :raises LogoutTokenError: naming the failed check.
    """
    if claims.get("iss") != policy.issuer:
        raise LogoutTokenError("iss mismatch")
    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else aud
    if not isinstance(audiences, list) or policy.client_id not in audiences:
        raise LogoutTokenError("aud does not name this client")
    if "azp" in claims and claims["azp"] != policy.client_id:
        raise LogoutTokenError("azp is not this client")
    iat = finite_number(claims.get("iat"))
    if iat is None or iat > now + policy.leeway or iat < now - policy.max_iat_age:
        raise LogoutTokenError("iat missing, in the future or too old")
    until = iat + policy.max_iat_age
    if "exp" in claims:
        exp = finite_number(claims["exp"])
        if exp is None or now >= exp + policy.leeway:
            raise LogoutTokenError("expired or malformed exp")
        until = min(until, exp)
    events = claims.get("events")
    if not isinstance(events, Mapping) or not isinstance(events.get(EVENT), Mapping):
        raise LogoutTokenError("events claim missing or without the back-channel logout event")
    if "nonce" in claims:
        raise LogoutTokenError("nonce present (an ID token, not a logout token)")
    if _identifier(claims, "sub") is None and _identifier(claims, "sid") is None:
        raise LogoutTokenError("neither sub nor sid")
    if _identifier(claims, "jti") is None:
        raise LogoutTokenError("jti missing")
    return until + policy.leeway


def idp_session(provider_id: str, id_token: object) -> dict[str, str] | None:
    """The ``IDP_CLAIM`` value of a sign-in: ``{"provider", "sub", "sid"}`` from its ID token
    (``sid`` when it has one). That token was verified moments ago, at this sign-in, so its
    payload is only read here."""
    if not isinstance(id_token, str) or id_token.count(".") != 2:
        return None
    payload = id_token.split(".")[1]
    try:
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        claims = DECODER.decode(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(claims, dict):
        return None
    found = {"provider": provider_id}
    for name in ("sub", "sid"):
        value = claims.get(name)
        if isinstance(value, str) and 0 < len(value) <= _MAX_ID:
            found[name] = value
    return found if "sub" in found else None


class BackchannelLogout:
    """Reads the logout tokens of one provider and refuses a ``jti`` seen before.

    :param provider_id: the provider the tokens come from (part of the replay key).
    """

    def __init__(self, provider_id: str) -> None:
        self.provider_id = provider_id
        self.markers: SharedState | None = None

    def use_state(self, state: SharedState) -> None:
        """Keep the seen ``jti`` values in *state* (``Auth.shared_state``)."""
        self.markers = state

    def accept(
        self, token: object, policy: IdTokenPolicy, lookup: KeyLookup, *, now: float | None = None
    ) -> LogoutRequest:
        """The :class:`LogoutRequest` of a valid, first-seen logout *token*.

        :raises LogoutTokenError: the token is invalid or replayed.
        :raises AdapterUnavailable: the shared state cannot be reached.
        """
        at = time.time() if now is None else now
        try:
            verified = verify_signature(token, policy, lookup)  # type: ignore[arg-type]
        except IdTokenError as exc:
            raise LogoutTokenError(str(exc)) from None
        except ValueError as exc:
            raise LogoutTokenError(f"unreadable payload: {type(exc).__name__}") from None
        if verified["header"].get("typ") not in _TYPES:
            raise LogoutTokenError("typ is not a logout token's")
        claims: dict[str, Any] = verified["claims"]
        until = check_logout_claims(claims, policy, at)
        if self.markers is None:
            raise LogoutTokenError("provider not set up")
        expires = datetime.fromtimestamp(math.ceil(max(until, at + 1)), UTC)
        if not self.markers.add_marker(self._key(claims["jti"]), expires):
            raise LogoutTokenError("jti replayed")
        return LogoutRequest(self.provider_id, claims.get("sub"), claims.get("sid"), claims["jti"])

    def forget(self, request: LogoutRequest) -> None:
        """Forget the ``jti`` of *request* (its sessions could not be ended: a retry may come)."""
        if self.markers is not None:
            self.markers.clear(self._key(request.jti))

    def _key(self, jti: str) -> str:
        return f"logout-jti:{self.provider_id}:{jti}"
