"""The access decision as pure functions of values, shared by the rules and the decorators.

One reading of who is signed in, one reading of roles, one answer per situation:
``anonymous`` (sign in / 401), ``unavailable`` (the session store is down: 503) and
``forbidden`` (signed in without the right: 403).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

__all__ = ["Refusal", "is_signed_in", "refusal", "roles_of"]

Refusal = Literal["anonymous", "unavailable", "forbidden"]

_COLLECTIONS = (list, tuple, set, frozenset)


def is_signed_in(session: Any) -> bool:
    """Whether *session* is a real session (a mapping with a ``user`` mapping).

    Anything else (``None``, ``{}``, an error object) counts as anonymous: fail closed.
    """
    return isinstance(session, Mapping) and isinstance(session.get("user"), Mapping)


def roles_of(user: Any) -> frozenset[str]:
    """A user's roles: ``user["role"]`` (a string) plus ``user["roles"]`` (a list of strings).

    Empty strings and non-strings are ignored; a non-mapping user has no roles.
    """
    if not isinstance(user, Mapping):
        return frozenset()
    role, roles = user.get("role"), user.get("roles")
    found = {role} if isinstance(role, str) and role else set()
    if isinstance(roles, _COLLECTIONS):
        found.update(r for r in roles if isinstance(r, str) and r)
    return frozenset(found)


def refusal(
    session: Any, *, unavailable: bool, roles: frozenset[str] | None = None
) -> Refusal | None:
    """Why a request may not proceed, or ``None`` when it may.

    :param unavailable: the session middleware could not reach the session store.
    :param roles: any one of them is required (``None`` or empty: a session is enough).
    """
    if not is_signed_in(session):
        return "unavailable" if unavailable else "anonymous"
    if roles and not roles & roles_of(session["user"]):
        return "forbidden"
    return None
