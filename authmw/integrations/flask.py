"""Flask: wrap ``app.wsgi_app``, read the session, protect views with a decorator.

Wrapping ``app.wsgi_app`` (not ``app``) keeps ``app`` a Flask object, so ``app.run``,
``app.test_client`` and the CLI keep working::

    from authmw.integrations.flask import current_session, login_required

    app = Flask(__name__)
    app.wsgi_app = auth.wrap(app.wsgi_app, rules=[...])

    @app.get("/admin")
    @login_required(role="admin")
    def admin():
        return f"Hello {current_session().user['email']}"

Denials match the protection rules: anonymous browsers are redirected to sign-in with
``callbackUrl``, JSON clients (or ``api=True`` views) get 401 JSON, users without the role 403.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar, overload

import flask

from ..api import get_session, get_token
from ._access import as_roles, check

if TYPE_CHECKING:
    from ..session.model import Session

F = TypeVar("F", bound=Callable[..., Any])


def current_session() -> Session | None:
    """The session of the current request (``None`` when anonymous)."""
    return get_session(flask.request.environ)


def current_token() -> dict[str, Any] | None:
    """The decoded session token of the current request (jwt strategy)."""
    return get_token(flask.request.environ)


@overload
def login_required(view: F, /) -> F: ...
@overload
def login_required(
    *,
    role: str | Iterable[str] | None = None,
    roles: Iterable[str] | None = None,
    api: bool = False,
) -> Callable[[F], F]: ...
def login_required(
    view: F | None = None,
    /,
    *,
    role: str | Iterable[str] | None = None,
    roles: Iterable[str] | None = None,
    api: bool = False,
) -> F | Callable[[F], F]:
    """Let the view run only for a signed-in user (with *role*, or one of several, if given).

    Use bare (``@login_required``) or with options (``@login_required(role="admin")``).

    :param roles: the roles, any one of which the user needs (as in the rules).
    :param role: the same, as one name or a list (``roles`` or ``role``, not both).
    :param api: always answer denials in JSON (401/403), for API views.
    """
    wanted = as_roles(role, roles)

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            denial = check(flask.request.environ, roles=wanted, api=api)
            if denial is not None:
                return flask.Response(denial.body, denial.status, denial.headers)
            return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate(view) if view is not None else decorate


__all__ = ["current_session", "current_token", "login_required"]
