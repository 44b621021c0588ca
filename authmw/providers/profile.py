"""Profile mapping: a provider's claims to authmw's ``{id, name, email, image}`` user."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from ..callbacks import mapping_from
from ..errors import AuthError, ConfigurationError

log = logging.getLogger("authmw.providers")

#: ``profile(claims, tokens) -> user``; one-argument callables (``profile(claims)``) work too.
ProfileMapper = Callable[..., Mapping[str, Any]]

MAX_ID = 255
MAX_TEXT = 512


def default_profile(claims: Mapping[str, Any], tokens: Mapping[str, Any]) -> dict[str, Any]:
    """``sub`` (or ``id``), ``name``, ``email`` and ``picture`` (or ``image``)."""
    ident = claims.get("sub", claims.get("id"))
    return {
        "id": ident,
        "name": claims.get("name") or claims.get("preferred_username"),
        "email": claims.get("email"),
        "image": claims.get("picture") or claims.get("image"),
    }


def mapper_arity(mapper: ProfileMapper | None) -> int:
    """How many positional arguments a profile callable takes (1 or 2).

    :raises ConfigurationError: not a callable of one or two arguments.
    """
    if mapper is None:
        return 2
    if not callable(mapper):
        raise ConfigurationError("profile must be a callable")
    try:
        params = inspect.signature(mapper).parameters.values()
    except (TypeError, ValueError):
        return 2
    positional = [
        p
        for p in params
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
    ]
    if any(p.kind is p.VAR_POSITIONAL for p in positional) or len(positional) >= 2:
        return 2
    if len(positional) == 1:
        return 1
    raise ConfigurationError("profile must take (claims) or (claims, tokens)")


def map_profile(
    mapper: ProfileMapper | None,
    arity: int,
    claims: Mapping[str, Any],
    tokens: Mapping[str, Any],
) -> dict[str, Any]:
    """Run *mapper* and clean its result; a raising or malformed mapper is ``OAuthCallback``."""
    fn: ProfileMapper = mapper or default_profile
    raw = mapping_from(
        lambda: fn(claims, tokens) if arity == 2 else fn(claims),
        code="OAuthCallback",
        what="the profile callable",
    )
    return clean_user(raw)


def clean_user(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Profile values are data (P-E4): a string id, bounded text, http(s) images only."""
    ident = raw.get("id")
    if isinstance(ident, bool) or not isinstance(ident, str | int) or ident == "":
        raise AuthError("OAuthCallback", detail="profile has no id")
    ident = str(ident)
    if len(ident) > MAX_ID or not ident.isprintable():
        raise AuthError("OAuthCallback", detail="profile id is malformed")
    user = dict(raw)
    user["id"] = ident
    for key in ("name", "email"):
        value = user.get(key)
        user[key] = value[:MAX_TEXT] if isinstance(value, str) and value else None
    user["image"] = safe_image(user.get("image"))
    return user


def safe_image(value: object) -> str | None:
    """*value* if it is an absolute http(s) URL of sane length, else ``None``."""
    if not isinstance(value, str) or len(value) > 2048:
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    if any(c.isspace() or ord(c) < 32 for c in value):
        return None
    return value
