"""Bottle: a plugin that hands routes the session, and a decorator that protects routes.

The middleware wraps the Bottle app as it wraps any WSGI app; the plugin only reads what it put
in the environ::

    from authmw.integrations.bottle import AuthPlugin, auth_required

    app = bottle.Bottle()
    app.install(AuthPlugin(auth))

    @app.get("/admin")
    @auth_required(role="admin")
    def admin(session):          # routes that name a ``session`` argument receive it
        return f"Hello {session.user['email']}"

    application = auth.wrap(app, rules=[...])

The session is also in ``bottle.request.environ['auth.session']``. Denials match the protection
rules: sign-in redirect with ``callbackUrl``, 401/403 JSON for JSON clients, 403 otherwise.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar, overload

import bottle

from ..api import get_session
from ._access import as_roles, auth_of, check

if TYPE_CHECKING:
    from ..config import Auth

F = TypeVar("F", bound=Callable[..., Any])


class AuthPlugin:
    """Injects the session into routes whose callback accepts the *keyword* argument.

    Routes that do not name the keyword are left untouched (no per-request cost).

    A request that did not pass through authmw's middleware is refused (500) rather than
    treated as anonymous: a missing wrap is a deployment mistake to notice, not a state.

    :param auth: the :class:`~authmw.Auth` the app is wrapped with, kept as ``plugin.auth``
        for routes and templates that need it (``plugin.auth.base_path`` for links).
    :param keyword: the argument name to fill (``session``).
    """

    name = "authmw"
    api = 2

    def __init__(self, auth: Auth | None = None, *, keyword: str = "session") -> None:
        self.auth = auth
        self.keyword = keyword

    def setup(self, app: bottle.Bottle) -> None:
        """Refuse a second plugin that fills the same keyword."""
        for other in app.plugins:
            if other is not self and getattr(other, "keyword", None) == self.keyword:
                raise bottle.PluginError(f"another plugin already provides {self.keyword!r}")

    def apply(self, callback: Callable[..., Any], route: bottle.Route) -> Callable[..., Any]:
        if self.keyword not in route.get_callback_args():
            return callback
        keyword = self.keyword

        @functools.wraps(callback)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            environ = bottle.request.environ
            auth_of(environ)  # fail closed when the middleware is missing
            kwargs[keyword] = get_session(environ)
            return callback(*args, **kwargs)

        return wrapper


@overload
def auth_required(role: F, /) -> F: ...
@overload
def auth_required(
    role: str | Iterable[str] | None = None,
    *,
    roles: Iterable[str] | None = None,
    api: bool = False,
) -> Callable[[F], F]: ...
def auth_required(
    role: F | str | Iterable[str] | None = None,
    *,
    roles: Iterable[str] | None = None,
    api: bool = False,
) -> F | Callable[[F], F]:
    """Let the route run only for a signed-in user (with *role*, or one of several, if given).

    Use bare (``@auth_required``) or with options (``@auth_required(role="admin")``).

    :param roles: the roles, any one of which the user needs (as in the rules).
    :param role: the same, as one name or a list (``roles`` or ``role``, not both).
    :param api: always answer denials in JSON (401/403), for API routes.
    """
    if callable(role):
        return auth_required()(role)
    wanted = as_roles(role, roles)

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            denial = check(bottle.request.environ, roles=wanted, api=api)
            if denial is not None:
                raise bottle.HTTPResponse(denial.body, denial.status, denial.headers)
            return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


__all__ = ["AuthPlugin", "auth_required"]
