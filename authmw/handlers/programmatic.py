"""Sessions your own code starts or ends: after a sign-up form, an invitation link, a test.

``Auth.sign_in(environ, user)`` and ``Auth.sign_out(environ)`` return the ``Set-Cookie``
headers to send with your response; ``Auth.sign_out_redirect(environ, callback_url)`` also says
where to send the browser (the provider's sign-out page with ``sign_out_of_provider``). A
sign-in runs exactly what a password sign-in runs after ``authorize`` (the ``sign_in`` and
``jwt`` callbacks, the stored user with database sessions, the ``sign_in`` event), so the
session is the same as if the user had used the form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._types import WSGIEnvironment
from ..adapters.base import User
from ..dispatch.context import RequestContext
from ..dispatch.services import EndpointServices
from ..errors import AuthError, ConfigurationError
from ..flow import FlowRequest
from ..providers.base import Provider, SignInResult, UserFinder
from .ending import end_session

__all__ = [
    "AppSignIn",
    "SignOutRedirect",
    "sign_in_headers",
    "sign_out_headers",
    "sign_out_redirect",
]

Headers = list[tuple[str, str]]


@dataclass(frozen=True)
class SignOutRedirect:
    """The answer to send after :meth:`Auth.sign_out_redirect <authmw.Auth.sign_out_redirect>`:
    a redirect to :attr:`location` with :attr:`headers`.

    :ivar location: the provider's sign-out page (which sends the browser back to the callback
        URL through ``{base}/signout-callback/<id>``), or the callback URL itself.
    :ivar headers: the ``Set-Cookie`` headers (session cleared, CSRF token rotated, the state
        of the sign-out at the provider).
    :ivar at_provider: whether :attr:`location` is the provider's sign-out page.
    """

    location: str
    headers: Headers
    at_provider: bool


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
    headers that clear the cookie. The provider's session, if any, is left alone (see
    :func:`sign_out_redirect`)."""
    ctx = RequestContext(environ, services, "signout", None)
    end_session(ctx, ctx.base_url, sign_out_of_provider=False)
    return [("Set-Cookie", value) for value in ctx.set_cookies]


def sign_out_redirect(
    services: EndpointServices, environ: WSGIEnvironment, callback_url: str | None = None
) -> SignOutRedirect:
    """End the request's session as ``POST {base}/signout`` does: for a session signed in with
    a provider that has ``sign_out_of_provider`` on, the browser goes to the provider's
    sign-out page next and comes back to *callback_url* (sanitized as a ``callbackUrl``;
    default: the base URL)."""
    ctx = RequestContext(environ, services, "signout", None)
    url = ctx.sanitize(callback_url if callback_url is not None else ctx.base_url)
    location = end_session(ctx, url)
    headers = [("Set-Cookie", value) for value in ctx.set_cookies]
    return SignOutRedirect(location=location, headers=headers, at_provider=location != url)


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
