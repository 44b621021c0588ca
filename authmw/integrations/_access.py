"""What every framework decorator shares: decide, then describe the denial as plain values.

The decisions match the protection rules: anonymous browsers go to the sign-in page with a
relative ``callbackUrl``, anonymous API calls get 401 JSON, signed-in users without the role get
403. Each integration turns a :class:`Denial` into its own response type.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from .._types import WSGIEnvironment
from ..errors import ConfigurationError
from ..rules.responses import MESSAGES as _MESSAGES
from ..rules.responses import NO_STORE as _NO_STORE
from ..rules.responses import PAGE_HEADERS as _PAGE_HEADERS
from ..rules.responses import callback_url as current_url
from ..rules.responses import forbidden_page
from ..rules.responses import wants_json as wants_json
from ..session.middleware import AUTH_KEY, SESSION_KEY

if TYPE_CHECKING:
    from ..config import Auth


@dataclass(frozen=True, slots=True)
class Denial:
    """A response to send instead of the view: status code, headers and body."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def status_line(self) -> str:
        return {302: "302 Found", 401: "401 Unauthorized", 403: "403 Forbidden"}[self.status]


def roles_of(session: Any) -> frozenset[str]:
    """The roles of a session user: ``user.role`` (a string) plus ``user.roles`` (a list).

    The same reading as the rules', so a decorator and a rule agree on who is an admin.
    """
    user = session.get("user") if isinstance(session, dict) else None
    if not isinstance(user, dict):
        return frozenset()
    role, roles = user.get("role"), user.get("roles")
    found = {role} if isinstance(role, str) and role else set()
    if isinstance(roles, list | tuple | set | frozenset):
        found.update(r for r in roles if isinstance(r, str) and r)
    return frozenset(found)


def groups_of(session: Any) -> frozenset[str]:
    """The user's ``groups`` list (strings only), for Pyramid's ``group:<name>`` principals."""
    user = session.get("user") if isinstance(session, dict) else None
    groups = user.get("groups") if isinstance(user, dict) else None
    if not isinstance(groups, list | tuple | set | frozenset):
        return frozenset()
    return frozenset(g for g in groups if isinstance(g, str) and g)


def is_signed_in(session: Any) -> bool:
    """Whether *session* is a real session (a mapping with a ``user`` mapping), as the rules ask.

    Anything else (``None``, ``{}``, an error object) counts as anonymous: fail closed.
    """
    return isinstance(session, Mapping) and isinstance(session.get("user"), Mapping)


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
    """The sign-in page with ``callbackUrl`` set to the current page."""
    page = auth.pages.sign_in or f"{environ.get('SCRIPT_NAME', '')}{auth.base_path}/signin"
    separator = "&" if "?" in page else "?"
    return f"{page}{separator}{urlencode({'callbackUrl': current_url(environ)})}"


def _json(status: int, code: str) -> Denial:
    body = json.dumps({"error": code, "message": _MESSAGES[code]}).encode()
    headers = [("Content-Type", "application/json"), *_NO_STORE]
    if status == 401:
        headers.append(("WWW-Authenticate", 'Bearer realm="authmw"'))
    return Denial(status, headers, body)


def deny(environ: WSGIEnvironment, *, signed_in: bool, api: bool = False) -> Denial:
    """The answer for a request that may not proceed.

    :param signed_in: whether there is a session (then 403, else sign in / 401).
    :param api: answer in JSON whatever the client accepts.
    """
    as_json = api or wants_json(environ)
    if signed_in:
        if as_json:
            return _json(403, "AccessDenied")
        location = sign_in_location(auth_of(environ), environ)
        page = forbidden_page(environ, sign_in_url=location)
        return Denial(403, [*_PAGE_HEADERS, *_NO_STORE], page)
    if as_json:
        return _json(401, "SessionRequired")
    location = sign_in_location(auth_of(environ), environ)
    return Denial(302, [("Location", location), *_NO_STORE], b"")


def check(
    environ: WSGIEnvironment,
    *,
    roles: Iterable[str] | None = None,
    api: bool = False,
) -> Denial | None:
    """``None`` when the request has a session (with one of *roles*, if given), else a denial."""
    auth_of(environ)  # fail closed when the app is not wrapped
    session = environ.get(SESSION_KEY)
    if not is_signed_in(session):
        return deny(environ, signed_in=False, api=api)
    wanted = frozenset(roles or ())
    if wanted and not wanted & roles_of(session):
        return deny(environ, signed_in=True, api=api)
    return None


def as_roles(role: str | Iterable[str] | None) -> frozenset[str] | None:
    """``"admin"`` or ``["admin", "staff"]`` (any of them) as a set; ``None`` for none."""
    if role is None:
        return None
    return frozenset([role] if isinstance(role, str) else role)
