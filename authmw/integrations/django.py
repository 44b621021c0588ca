"""Django: wrap the WSGI application in ``wsgi.py``; read the session as ``request.auth_session``.

``wsgi.py``::

    from django.core.wsgi import get_wsgi_application
    from myproject.auth import auth

    application = auth.wrap(get_wsgi_application(), rules=[...])

``settings.py``::

    MIDDLEWARE = [..., "authmw.integrations.django.AuthSessionMiddleware"]

Django's ``request.META`` is the WSGI environ, so the middleware only exposes what authmw already
put there. It does not touch Django's own ``request.user`` or sessions (no database needed).
Views can also be protected one by one with :func:`auth_required`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, overload

from django.http import HttpRequest, HttpResponse

from ..api import get_session, get_token
from ._access import as_roles, check

F = TypeVar("F", bound=Callable[..., Any])


class AuthSessionMiddleware:
    """Sets ``request.auth_session`` (session or ``None``) and ``request.auth_token``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.auth_session = get_session(request.META)
        request.auth_token = get_token(request.META)
        return self.get_response(request)


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
    """Let the view run only for a signed-in user (with *role*, or one of several, if given).

    Use bare (``@auth_required``) or with options (``@auth_required(role="admin")``).

    :param roles: the roles, any one of which the user needs (as in the rules).
    :param role: the same, as one name or a list (``roles`` or ``role``, not both).
    :param api: always answer denials in JSON (401/403), for API views.
    """
    if callable(role):
        return auth_required()(role)
    wanted = as_roles(role, roles)

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            denial = check(request.META, roles=wanted, api=api)
            if denial is not None:
                response = HttpResponse(denial.body, status=denial.status)
                for name, value in denial.headers:
                    response[name] = value
                return response
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


__all__ = ["AuthSessionMiddleware", "auth_required"]
