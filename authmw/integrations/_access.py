"""What every framework decorator shares: decide, then describe the denial as plain values.

The decision and the answers are the rules' own (:mod:`authmw.rules.decide`,
:mod:`authmw.rules.responses`): anonymous browsers go to the sign-in page with a relative
``callbackUrl``, anonymous API calls get 401 JSON, signed-in users without the role get 403,
and a session store that is down is a 503 everywhere. Each integration turns a
:class:`Denial` into its own response type.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .._types import WSGIEnvironment
from ..environ_keys import AUTH_KEY, SESSION_KEY, UNAVAILABLE_KEY
from ..errors import ConfigurationError
from ..pages.forbidden import forbidden_page
from ..rules import decide
from ..rules.decide import is_signed_in as is_signed_in
from ..rules.responses import Denial as Denial
from ..rules.responses import callback_url as current_url
from ..rules.responses import denial
from ..rules.responses import wants_json as wants_json
from ..util.urls import sign_in_path, sign_in_redirect

if TYPE_CHECKING:
    from ..config import Auth


def roles_of(session: Any) -> frozenset[str]:
    """The roles of a session user: ``user.role`` (a string) plus ``user.roles`` (a list).

    The same reading as the rules', so a decorator and a rule agree on who is an admin.
    """
    user = session.get("user") if isinstance(session, Mapping) else None
    return decide.roles_of(user)


def groups_of(session: Any) -> frozenset[str]:
    """The user's ``groups`` list (strings only), for Pyramid's ``group:<name>`` principals."""
    user = session.get("user") if isinstance(session, dict) else None
    groups = user.get("groups") if isinstance(user, dict) else None
    if not isinstance(groups, list | tuple | set | frozenset):
        return frozenset()
    return frozenset(g for g in groups if isinstance(g, str) and g)


def user_id(session: Any, token: Any = None) -> str | None:
    """The user's id: ``user.id`` from the session, else the token's ``sub``."""
    user = session.get("user") if isinstance(session, dict) else None
    if isinstance(user, dict) and isinstance(user.get("id"), str | int) and user["id"] != "":
        return str(user["id"])
    if isinstance(token, dict) and isinstance(token.get("sub"), str) and token["sub"]:
        return str(token["sub"])
    return None


def auth_of(environ: WSGIEnvironment) -> Auth:
    """The :class:`~authmw.Auth` the session middleware put in the environ.

    :raises ConfigurationError: when the app was not wrapped (fail closed, never open).
    """
    auth: Auth | None = environ.get(AUTH_KEY)
    if auth is None:
        raise ConfigurationError(
            "authmw is not in front of this app: wrap it with auth.wrap(app) "
            "(Flask: app.wsgi_app = auth.wrap(app.wsgi_app))"
        )
    return auth


def sign_in_location(auth: Auth, environ: WSGIEnvironment) -> str:
    """The sign-in page (under the mount point) with ``callbackUrl`` set to the current page."""
    target = sign_in_path(auth.pages.sign_in, auth.base_path)
    return sign_in_redirect(target, environ, current_url(environ))


def deny(environ: WSGIEnvironment, *, signed_in: bool, api: bool = False) -> Denial:
    """The answer for a request that may not proceed.

    :param signed_in: whether there is a session (then 403, else sign in / 401, or 503 when
        the session store is down).
    :param api: answer in JSON whatever the client accepts.
    """
    if signed_in:
        why: decide.Refusal = "forbidden"
    else:
        why = "unavailable" if environ.get(UNAVAILABLE_KEY) else "anonymous"
    location = sign_in_location(auth_of(environ), environ) if why != "unavailable" else ""
    return denial(
        why,
        as_json=api or wants_json(environ),
        sign_in_location=location,
        forbidden_page=lambda: forbidden_page(environ, sign_in_url=location),
    )


def check(
    environ: WSGIEnvironment,
    *,
    roles: Iterable[str] | None = None,
    api: bool = False,
) -> Denial | None:
    """``None`` when the request has a session (with one of *roles*, if given), else a denial."""
    auth_of(environ)  # fail closed when the app is not wrapped
    why = decide.refusal(
        environ.get(SESSION_KEY),
        unavailable=bool(environ.get(UNAVAILABLE_KEY)),
        roles=frozenset(roles or ()),
    )
    if why is None:
        return None
    return deny(environ, signed_in=why == "forbidden", api=api)


def as_roles(
    role: str | Iterable[str] | None, roles: Iterable[str] | None = None
) -> frozenset[str] | None:
    """``role="admin"`` or ``roles=["admin", "staff"]`` (any of them) as a set; ``None`` for
    none. ``roles`` is the rules' spelling; ``role`` (one or several) is accepted too.

    :raises ConfigurationError: both are given, or ``roles`` is a bare string.
    """
    if role is not None and roles is not None:
        raise ConfigurationError("give roles=[...] or role=..., not both")
    if roles is not None:
        if isinstance(roles, str):
            raise ConfigurationError(f"roles must be a list of names, got {roles!r}")
        return frozenset(roles)
    if role is None:
        return None
    return frozenset([role] if isinstance(role, str) else role)
