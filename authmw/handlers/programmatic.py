"""Sessions your own code starts or ends: after a sign-up form, an invitation link, a test.

``Auth.sign_in(environ, user)`` and ``Auth.sign_out(environ)`` return the ``Set-Cookie``
headers to send with your response. A sign-in runs exactly what a password sign-in runs after
``authorize`` (the ``sign_in`` and ``jwt`` callbacks, the stored user with database sessions,
the ``sign_in`` event), so the session is the same as if the user had used the form.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._types import WSGIEnvironment
from ..adapters.base import User
from ..cookies.chunks import join_chunks
from ..dispatch.context import RequestContext
from ..dispatch.services import EndpointServices
from ..errors import AuthError, ConfigurationError
from ..flow import FlowRequest
from ..providers.base import Provider, SignInResult, UserFinder
from ..session.database import guarded

__all__ = ["AppSignIn", "sign_in_headers", "sign_out_headers"]

Headers = list[tuple[str, str]]


class AppSignIn(Provider):
    """The provider of sessions the app starts itself: a credentials-type sign-in (the app
    vouches for the user as ``authorize`` does)."""

    type = "credentials"

    def find_user(
        self, users: UserFinder, ctx: FlowRequest, result: SignInResult, account: Mapping[str, Any]
    ) -> tuple[User, bool] | None:
        return users.by_authorized_user(ctx, self, result, account)


_DEFAULT_PROVIDER = AppSignIn(id="credentials", name="The application")


def sign_in_headers(
    services: EndpointServices,
    environ: WSGIEnvironment,
    user: Mapping[str, Any],
    *,
    provider: str | None = None,
) -> Headers:
    """``Set-Cookie`` headers that sign *user* in (``{"id": ..., "email": ..., ...}``).

    :param provider: the id of a configured provider to record the sign-in under (default: the
        credentials provider if there is one, else a credentials-type sign-in of the app).
    :raises AuthError: ``AccessDenied`` when the ``sign_in`` callback refuses (or sends the
        user elsewhere); ``Configuration`` when the store fails.
    :raises ConfigurationError: *user* has no ``id``, or *provider* is unknown.
    """
    if not isinstance(user, Mapping) or user.get("id") in (None, ""):
        raise ConfigurationError("sign_in needs a user mapping with an 'id'")
    chosen = _provider(services, provider)
    ctx = RequestContext(environ, services, "signin", chosen.id)
    result = SignInResult(user={**user, "id": str(user["id"])})
    elsewhere, _ = services.completion.start_session(ctx, chosen, result)
    if elsewhere is not None:
        raise AuthError("AccessDenied", detail="the sign_in callback sent the user elsewhere")
    return [("Set-Cookie", value) for value in ctx.set_cookies]


def sign_out_headers(services: EndpointServices, environ: WSGIEnvironment) -> Headers:
    """``Set-Cookie`` headers that end the request's session (database sessions: the row is
    deleted; JWT sessions: the token is revoked), firing the ``sign_out`` event. No session:
    headers that clear the cookie."""
    ctx = RequestContext(environ, services, "signout", None)
    raw = join_chunks(ctx.cookies, ctx.realm.cookies.session_token.name)
    revoke = services.strategy.revoke
    ctx.set_session_cookies(guarded(lambda: revoke(raw, ctx.realm, ctx.cookies)))
    ctx.rotate_csrf_token()
    services.events.emit("sign_out", token=ctx.token, session=ctx.session)
    return [("Set-Cookie", value) for value in ctx.set_cookies]


def _provider(services: EndpointServices, provider_id: str | None) -> Provider:
    if provider_id is not None:
        found = services.providers.get(provider_id)
        if found is None:
            raise ConfigurationError(f"unknown provider {provider_id!r}")
        return found
    for candidate in services.providers.values():
        if candidate.type == "credentials":
            return candidate
    return _DEFAULT_PROVIDER
