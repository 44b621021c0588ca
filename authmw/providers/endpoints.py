"""OAuth 2 endpoints: their configuration and the token response (client authentication:
:mod:`authmw.providers.client_auth`)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import AuthError, ConfigurationError
from .http import check_endpoint

#: Authorization parameters authmw sets itself; configured ones with these names are dropped.
RESERVED_PARAMS = frozenset(
    {"response_type", "client_id", "redirect_uri", "state", "code_challenge",
     "code_challenge_method", "nonce"}
)  # fmt: skip


@dataclass(frozen=True)
class Endpoints:
    """Where the provider lives; OIDC fills this from discovery."""

    authorization: str
    token: str
    userinfo: str | None = None
    issuer: str | None = None
    #: RFC 9207: the provider always sends ``iss`` on the authorization response.
    iss_parameter: bool = False


def split_endpoint(
    value: str | Mapping[str, Any] | None, what: str, allow_loopback_http: bool = False
) -> tuple[str | None, dict[str, Any]]:
    """A configured endpoint, ``"https://..."`` or ``{"url": ..., "params": {...}}``, as
    ``(url, params)`` (see :func:`~authmw.providers.http.check_endpoint`)."""
    if value is None:
        return None, {}
    if isinstance(value, str):
        return check_endpoint(value, what, allow_loopback_http=allow_loopback_http), {}
    if isinstance(value, Mapping):
        params = dict(value.get("params") or {})
        url = value.get("url")
        if url is None:
            return None, params
        return check_endpoint(url, what, allow_loopback_http=allow_loopback_http), params
    raise ConfigurationError(f"{what} must be a URL or {{'url': ..., 'params': ...}}")


def extra_authorization_params(provider_id: str, *configured: Mapping[str, str]) -> dict[str, str]:
    """The configured authorization parameters, merged, without the :data:`RESERVED_PARAMS`.

    :raises ConfigurationError: a ``response_type`` other than ``code``.
    """
    params: dict[str, str] = {}
    for mapping in configured:
        params.update(mapping)
    if params.get("response_type", "code") != "code":
        raise ConfigurationError(f"provider {provider_id!r}: only response_type='code' is allowed")
    return {k: v for k, v in params.items() if k not in RESERVED_PARAMS}


def checked_token_response(tokens: dict[str, Any]) -> dict[str, Any]:
    """A token response with a Bearer ``access_token`` (P-C3, P-C4); ``expires_in`` becomes
    ``expires_at``.

    :raises AuthError: ``OAuthCallback`` when it is not usable.
    """
    access = tokens.get("access_token")
    token_type = tokens.get("token_type")
    if not isinstance(access, str) or not access:
        raise AuthError("OAuthCallback", detail="token response without access_token")
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        raise AuthError("OAuthCallback", detail="token_type is not Bearer")
    expires_in = tokens.get("expires_in")
    if isinstance(expires_in, str) and expires_in.isdigit():
        expires_in = int(expires_in)
    if isinstance(expires_in, int | float) and not isinstance(expires_in, bool):
        tokens["expires_at"] = int(time.time() + expires_in)
    return tokens


def account_from_tokens(
    provider_id: str, provider_type: str, account_id: Any, tokens: Mapping[str, Any]
) -> dict[str, Any]:
    """The NextAuth ``Account`` of a sign-in: who, and the tokens worth keeping."""
    account: dict[str, Any] = {
        "provider": provider_id,
        "type": provider_type,
        "providerAccountId": account_id,
    }
    for key in ("access_token", "token_type", "expires_at", "refresh_token", "scope"):
        if tokens.get(key) is not None:
            account[key] = tokens[key]
    if isinstance(tokens.get("id_token"), str):
        account["id_token"] = tokens["id_token"]
    return account
