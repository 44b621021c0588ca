"""Credentials provider: your ``authorize(credentials, request)`` decides who signs in."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import AuthError, ConfigurationError
from ..throttle import normalize_account
from .base import Provider, SignInResult

if TYPE_CHECKING:
    from webob import Request, Response

    from ..adapters.base import User
    from ..flow import FlowRequest
    from ..throttle import Throttle
    from .base import ProviderSetup, UserFinder

log = logging.getLogger("authmw.credentials")

Authorize = Callable[[dict[str, str], "Request"], Mapping[str, Any] | None]
_FIELD_KEYS = frozenset({"label", "type", "placeholder", "autocomplete"})
_RESERVED = frozenset({"csrfToken", "callbackUrl", "json", "redirect"})


class CredentialsProvider(Provider):
    """Sign in with fields you declare, checked by your ``authorize`` function.

    :param authorize: ``authorize(credentials, request) -> user dict | None``; the dict needs an
        ``id``. Values arrive exactly as typed (no trimming or normalisation).
    :param credentials: the form fields, ``{"email": {"label": "Email", "type": "email"}}``.
    :param identifier: the field naming the account, for the per-account rate limit
        (counted trimmed and case-folded); defaults to ``email``, else ``username``, else the
        first field that is not a password.
    """

    type = "credentials"
    refusal_as_error_url = True
    callback_methods: ClassVar[frozenset[str]] = frozenset({"POST"})
    callback_needs_csrf: ClassVar[bool] = True

    def __init__(
        self,
        *,
        authorize: Authorize,
        credentials: Mapping[str, Mapping[str, str]],
        id: str = "credentials",
        name: str = "Credentials",
        identifier: str | None = None,
    ) -> None:
        super().__init__(id=id, name=name)
        if not callable(authorize):
            raise ConfigurationError(f"provider {id!r}: authorize must be callable")
        if not credentials:
            raise ConfigurationError(f"provider {id!r}: declare at least one credentials field")
        for field_name, spec in credentials.items():
            if field_name in _RESERVED or not field_name.isidentifier():
                raise ConfigurationError(f"provider {id!r}: invalid field name {field_name!r}")
            unknown = set(spec) - _FIELD_KEYS
            if unknown:
                raise ConfigurationError(
                    f"provider {id!r}: field {field_name!r} has unknown keys {sorted(unknown)}"
                )
        self.authorize = authorize
        self.credentials = {name: dict(spec) for name, spec in credentials.items()}
        self.identifier = identifier or _identifier_field(self.credentials)
        if self.identifier not in self.credentials:
            raise ConfigurationError(f"provider {id!r}: identifier {identifier!r} is not a field")
        self._throttle: Throttle | None = None

    def setup(self, auth: ProviderSetup) -> None:
        self._throttle = auth.throttle

    def find_user(
        self, users: UserFinder, ctx: FlowRequest, result: SignInResult, account: Mapping[str, Any]
    ) -> tuple[User, bool] | None:
        """``authorize``'s user as is (JWT sessions); with database sessions a stored user
        keeping that id, reached by its address (the app vouches for it)."""
        return users.by_authorized_user(ctx, self, result, account)

    def page_info(self) -> dict[str, Any]:
        return {
            "fields": [
                {
                    "name": name,
                    "label": spec.get("label", name.replace("_", " ").capitalize()),
                    "type": spec.get("type", "text"),
                    "placeholder": spec.get("placeholder", ""),
                    "autocomplete": spec.get("autocomplete", _autocomplete(name, spec)),
                }
                for name, spec in self.credentials.items()
            ]
        }

    def begin(self, ctx: FlowRequest) -> Response:
        # NextAuth's client posts credentials to the callback; a POST here just shows the page.
        return ctx.redirect(ctx.sign_in_page_url())

    def finish(self, ctx: FlowRequest) -> SignInResult:
        form = ctx.form()
        values: dict[str, str] = {}
        for name in self.credentials:
            value = form.get(name, "")
            if not isinstance(value, str):
                raise AuthError("CredentialsSignin", detail=f"field {name} is not a string")
            values[name] = value
        account = normalize_account(values[self.identifier])
        throttle = self._throttle
        if throttle is not None:  # S-A5: before authorize, which never sees a throttled try
            throttle.before_credentials(ctx.environ, self.id, account)
        try:
            user: Any = self.authorize(dict(values), ctx.request)
        except Exception:
            # The exception text may hold user input: log the type only, with a traceback.
            log.exception("authorize() of provider %s raised", self.id)
            user = None
        if user is None or user is False:
            log.info("credentials sign-in refused by provider %s", self.id)
            if throttle is not None:
                throttle.credentials_failed(ctx.environ)
            raise AuthError("CredentialsSignin", detail="authorize refused or raised")
        if not isinstance(user, Mapping) or user.get("id") in (None, ""):
            log.error("authorize() of provider %s must return a mapping with an 'id'", self.id)
            raise AuthError("Configuration", detail="authorize returned no id")
        if throttle is not None:
            throttle.credentials_succeeded(self.id, account)
        user = {**user, "id": str(user["id"])}
        return SignInResult(user=dict(user), credentials=values)


def _identifier_field(credentials: Mapping[str, Mapping[str, str]]) -> str:
    for name in ("email", "username"):
        if name in credentials:
            return name
    others = [name for name, spec in credentials.items() if spec.get("type") != "password"]
    return (others or list(credentials))[0]


def _autocomplete(name: str, spec: Mapping[str, str]) -> str:
    if spec.get("type") == "password":
        return "current-password"
    if spec.get("type") == "email" or name == "email":
        return "username"
    return "on"
