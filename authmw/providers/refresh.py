"""Access-token refresh for sessions kept in the encrypted session token.

With ``refresh=True`` a provider's ``session_claims`` keeps ``provider``, ``access_token``,
``expires_at`` and ``refresh_token`` in the session token. When the JWT strategy loads a
session whose access token expires within :data:`REFRESH_MARGIN` seconds, the refresher trades
the refresh token for new tokens (rotating the refresh token when the provider issues a new
one). A failed refresh never raises: the claims get ``error="RefreshAccessTokenError"``, as in
NextAuth's refresh recipe, and the app decides what to do (usually: sign in again).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from .._types import Claims
from ..errors import AuthError, IdentityChangedError
from ..util.numbers import finite_number as _number

if TYPE_CHECKING:
    from .base import Provider

log = logging.getLogger("authmw.providers.refresh")

REFRESH_MARGIN = 60
#: Seconds between attempts after a failure (so a dead provider is not hit on every request).
RETRY_AFTER = 30
ERROR = "RefreshAccessTokenError"


def make_token_refresher(
    providers: Iterable[Provider],
) -> Callable[[Claims], Claims | None] | None:
    """A function refreshing expiring access tokens in session claims, or ``None``.

    ``None`` unless some provider refreshes tokens (``refresh=True``). The function returns
    new claims when it changed something, else ``None``.
    """
    by_id = {p.id: p for p in providers if p.refreshes_tokens}
    if not by_id:
        return None

    def refresh(claims: Claims) -> Claims | None:
        provider = by_id.get(claims.get("provider", ""))
        if provider is None:
            return None
        return refresh_claims(provider, claims)

    return refresh


def refresh_claims(
    provider: Provider, claims: Claims, *, now: float | None = None
) -> Claims | None:
    """Refresh *claims* through *provider* if the access token is (nearly) expired."""
    at = time.time() if now is None else now
    expires_at = _number(claims.get("expires_at"))
    if expires_at is None or expires_at - REFRESH_MARGIN > at:
        return None
    failed_at = _number(claims.get("refresh_failed_at"))
    if failed_at is not None and at - failed_at < RETRY_AFTER:
        return None
    refresh_token = claims.get("refresh_token")
    if not isinstance(refresh_token, str) or not refresh_token:
        return _failed(claims, at) if claims.get("error") != ERROR else None
    try:
        tokens = provider.refresh_tokens(refresh_token, claims)
    except IdentityChangedError as exc:
        # The provider now names another user: this session is over (P-C8).
        log.warning("refreshing the %s access token: %s; signed out", provider.id, exc.detail)
        return {}
    except AuthError as exc:
        log.warning("refreshing the %s access token failed: %s", provider.id, exc.detail)
        return _failed(claims, at)
    except Exception:
        log.exception("refreshing the %s access token raised", provider.id)
        return _failed(claims, at)
    fresh: dict[str, Any] = {
        k: v for k, v in claims.items() if k not in ("error", "refresh_failed_at")
    }
    fresh["access_token"] = tokens["access_token"]
    if "expires_at" in tokens:
        fresh["expires_at"] = tokens["expires_at"]
    else:
        fresh.pop("expires_at", None)
    new_refresh = tokens.get("refresh_token")
    if isinstance(new_refresh, str) and new_refresh:
        fresh["refresh_token"] = new_refresh
    return fresh


def _failed(claims: Claims, at: float) -> Claims:
    return {**claims, "error": ERROR, "refresh_failed_at": int(at)}
