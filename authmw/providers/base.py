"""The provider interface every sign-in method implements.

A provider answers two endpoints: ``POST {base}/signin/<id>`` (:meth:`Provider.begin`, CSRF
already checked) and ``{base}/callback/<id>`` (:meth:`Provider.finish`). ``finish`` returns a
:class:`SignInResult`; the shared sign-in completion then runs the callbacks and issues the
session.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol

from ..errors import AuthError, ConfigurationError

if TYPE_CHECKING:
    from webob import Response

    from ..adapters.base import User
    from ..callbacks import Callbacks
    from ..flow import FlowRequest
    from ..options import Pages
    from ..state import SharedState
    from ..throttle import Throttle

ProviderType = Literal["oauth", "oidc", "email", "credentials"]
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


@dataclass
class SignInResult:
    """What a provider learnt about the user signing in.

    :param user: ``{"id", "name", "email", "image", ...}``; ``id`` is required.
    :param account: the provider account and tokens (OAuth), ``None`` for credentials.
    :param profile: the provider's raw profile claims, if any.
    """

    user: dict[str, Any]
    account: dict[str, Any] | None = None
    profile: dict[str, Any] | None = None
    credentials: dict[str, Any] | None = None
    email: dict[str, Any] | None = None
    extra_cookies: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Confirmation:
    """A callback held until the user confirms it with one click (a ``POST`` back to it).

    :param address: who the user would sign in as, shown on the confirmation page.
    :param fields: the hidden form fields that carry the callback's parameters.
    """

    address: str
    fields: Mapping[str, str]


class ProviderSetup(Protocol):
    """What :meth:`Provider.setup` may read of the configuration (an :class:`~authmw.Auth`)."""

    @property
    def secrets(self) -> Sequence[str]: ...

    @property
    def adapter(self) -> Any: ...

    @property
    def pages(self) -> Pages: ...

    @property
    def callbacks(self) -> Callbacks: ...

    @property
    def shared_state(self) -> SharedState: ...

    @property
    def throttle(self) -> Throttle: ...


class UserFinder(Protocol):
    """What a provider asks of account linking (:class:`~authmw.accounts.linking.AccountLinking`)
    to find the stored user of a sign-in; each answers ``(user, created now)``."""

    def by_account(
        self, ctx: FlowRequest, provider: Provider, result: SignInResult, account: Mapping[str, Any]
    ) -> tuple[User, bool]: ...

    def by_email(self, ctx: FlowRequest, result: SignInResult) -> tuple[User, bool]: ...

    def by_authorized_user(
        self, ctx: FlowRequest, provider: Provider, result: SignInResult, account: Mapping[str, Any]
    ) -> tuple[User, bool] | None: ...


class Provider:
    """Base class: an ``id``, a display ``name`` and a ``type``, plus the two flow steps."""

    type: ClassVar[ProviderType]
    #: Methods accepted on ``{base}/callback/<id>``.
    callback_methods: ClassVar[frozenset[str]] = frozenset({"GET"})
    #: Whether ``POST {base}/callback/<id>`` needs a CSRF token (credentials, e-mail).
    callback_needs_csrf: ClassVar[bool] = False
    #: The error code when storing the user of a sign-in fails.
    create_account_error: ClassVar[str] = "OAuthCreateAccount"
    #: A refused sign-in with ``json=true`` answers ``{"url": <error endpoint>}`` with its
    #: status (next-auth 4's client reads the code from it; credentials only).
    refusal_as_error_url: ClassVar[bool] = False

    def __init__(
        self,
        *,
        id: str,
        name: str,
        style: dict[str, str] | None = None,
        allow_dangerous_email_account_linking: bool = False,
    ) -> None:
        if not isinstance(id, str) or not _ID.match(id):
            raise ConfigurationError(
                f"provider id {id!r} must be 1-64 lower-case letters, digits, '-' or '_'"
            )
        if not isinstance(name, str) or not name.strip():
            raise ConfigurationError(f"provider {id!r} needs a name")
        self.id = id
        self.name = name
        self.style = dict(style or {})
        #: Link an unknown account to the existing user with the same (verified) email.
        self.allow_dangerous_email_account_linking = allow_dangerous_email_account_linking

    def setup(self, auth: ProviderSetup) -> None:
        """Called once the :class:`~authmw.Auth` is built; validate against it, keep what you
        need (the provider never reaches back into it per request)."""

    def find_user(
        self, users: UserFinder, ctx: FlowRequest, result: SignInResult, account: Mapping[str, Any]
    ) -> tuple[User, bool] | None:
        """The stored user of this sign-in (when an adapter stores users): by the provider
        account; ``None`` to sign in with ``result.user`` as is."""
        return users.by_account(ctx, self, result, account)

    def page_info(self) -> dict[str, Any]:
        """Extra data for the built-in sign-in page (e.g. form fields)."""
        return {}

    def session_claims(self, account: dict[str, Any] | None) -> dict[str, Any]:
        """Claims to keep in the session token at sign-in (e.g. tokens for refresh)."""
        return {}

    #: Whether :meth:`refresh_tokens` can renew expiring access tokens of this provider.
    refreshes_tokens: bool = False

    def refresh_tokens(self, refresh_token: str, claims: Mapping[str, Any]) -> dict[str, Any]:
        """New tokens for *refresh_token* (``access_token``, maybe ``expires_at``,
        ``refresh_token``).

        :raises AuthError: the provider refused; :class:`~authmw.errors.IdentityChangedError`
            when the tokens now name another user.
        """
        raise AuthError("OAuthCallback", detail=f"provider {self.id} cannot refresh tokens")

    def sign_out_url(self, ctx: FlowRequest, id_token: str, callback_url: str) -> str | None:
        """The provider's own sign-out page to send the browser to after our sign-out (it
        comes back to *callback_url*), or ``None`` to go straight to *callback_url*."""
        return None

    def finish_sign_out(self, ctx: FlowRequest) -> str:
        """Where ``{base}/signout-callback/<id>`` sends the browser back from the provider."""
        return ctx.base_url

    def begin(self, ctx: FlowRequest) -> Response:
        """Start signing in (``POST {base}/signin/<id>``)."""
        raise AuthError("OAuthSignin", detail=f"provider {self.id} cannot start a flow")

    def confirmation(self, ctx: FlowRequest) -> Confirmation | None:
        """Before :meth:`finish`: ``None`` to finish now, or what to ask the user to confirm
        first (the e-mail provider, for a link opened in a browser that did not ask for it)."""
        return None

    def finish(self, ctx: FlowRequest) -> SignInResult:
        """Finish signing in (``{base}/callback/<id>``); raise :class:`AuthError` on failure."""
        raise AuthError("Callback", detail=f"provider {self.id} has no callback")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self.id!r})"
