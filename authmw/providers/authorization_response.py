"""The authorization response on the callback (RFC 6749 §4.1.2, RFC 9207): ``error``, ``code``
and ``iss``, checked before anything is sent to the provider."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from ..errors import AuthError
from .endpoints import Endpoints

log = logging.getLogger("authmw.providers")

_MAX_CODE = 4096
_ERROR_CODE = re.compile(r"^[\x21-\x7e]{1,64}$")


def text_param(params: Mapping[str, Any], name: str) -> str | None:
    """Parameter *name* when it is a string, else ``None``."""
    value = params.get(name)
    return value if isinstance(value, str) else None


def authorization_code(provider_id: str, params: Mapping[str, Any]) -> str:
    """The ``code`` of a successful response.

    :raises AuthError: ``AccessDenied`` when the user said no; ``OAuthCallback`` for any
        other ``error`` or a missing or malformed code.
    """
    error = params.get("error")
    if error is not None:
        shown = error if isinstance(error, str) and _ERROR_CODE.match(error) else "?"
        log.warning("provider %s answered error=%s", provider_id, shown)
        if error == "access_denied" and "code" not in params:
            raise AuthError("AccessDenied", detail="the user denied access")
        raise AuthError("OAuthCallback", detail="provider returned an error")
    code = params.get("code")
    if not isinstance(code, str) or not code or len(code) > _MAX_CODE or not _printable(code):
        raise AuthError("OAuthCallback", detail="missing or malformed code")
    return code


def check_iss_parameter(endpoints: Endpoints, iss: str | None) -> None:
    """RFC 9207 mix-up defence: exact string comparison, required when advertised (P-B7)."""
    if endpoints.issuer is None:
        return
    if iss is None:
        if endpoints.iss_parameter:
            raise AuthError("OAuthCallback", detail="iss parameter missing")
        return
    if iss != endpoints.issuer:
        raise AuthError("OAuthCallback", detail="iss parameter mismatch")


def _printable(value: str) -> bool:
    return value.isascii() and value.isprintable() and " " not in value
