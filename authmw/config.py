"""Auth: the facade that validates the options once and builds every collaborator.

It hands each middleware the services it needs at construction (:meth:`Auth.wrap`); nothing
calls back into it per request. The option types live in :mod:`authmw.options`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from . import log as _log
from ._types import WSGIApplication, WSGIEnvironment
from .accounts.completion import SignInCompletion
from .accounts.linking import AccountLinking
from .callbacks import Callback, Callbacks, Events, coerce_callbacks, coerce_events
from .dispatch.services import EndpointServices
from .errors import ConfigurationError
from .handlers import default_handlers
from .handlers.programmatic import (
    SignOutRedirect,
    sign_in_headers,
    sign_out_headers,
    sign_out_redirect,
)
from .options import DAY as DAY
from .options import MIN_SECRET_LENGTH as MIN_SECRET_LENGTH
from .options import Pages as Pages
from .options import SessionOptions as SessionOptions
from .options import (
    coerce_options,
    resolve_base_path,
    resolve_secrets,
    resolve_trust_host,
    resolve_url,
)
from .pages.render import PageRenderer, Theme
from .providers.base import Provider
from .providers.refresh import make_token_refresher
from .security.csrf import CsrfTokens
from .security.signing import SignedValues
from .session.factory import make_strategy
from .session.scheme_keys import SchemeKeys, SchemeKeysSelector
from .stack import build_stack
from .state import state_for
from .throttle import RateLimits, Throttle, coerce_rate_limits
from .util.urls import base_url

if TYPE_CHECKING:
    from .handlers.base import Handler
    from .rules.model import Rule
    from .session.strategy import SessionStrategy

#: The old name of :class:`~authmw.session.scheme_keys.SchemeKeys`.
Realm = SchemeKeys


def _provider_table(providers: Iterable[Provider]) -> dict[str, Provider]:
    table: dict[str, Provider] = {}
    for provider in providers:
        if not isinstance(provider, Provider):
            raise ConfigurationError(f"not a provider: {provider!r}")
        if provider.id in table:
            raise ConfigurationError(f"duplicate provider id {provider.id!r}")
        table[provider.id] = provider
    return table


class Auth:
    """authmw's configuration: build it once, then wrap your WSGI app with :meth:`wrap`.

    :param secret: a string, or a list for key rotation (the first encrypts and signs, all are
        tried to decrypt and verify). Falls back to ``AUTHMW_SECRET``. At least 32 characters.
    :param url: the app's public origin, e.g. ``https://app.example``. Falls back to
        ``AUTHMW_URL``. Without it the origin comes from the request only if *trust_host* is on.
    :param trust_host: derive the origin from the ``Host`` header (``AUTHMW_TRUST_HOST``); only
        behind a proxy that sets it.
    :param base_path: where the auth endpoints live (``/api/auth``).
    :param providers: sign-in providers; ids must be unique.
    :param session: :class:`SessionOptions` or a mapping of its fields.
    :param pages: :class:`Pages` or a mapping of its fields.
    :param callbacks: :class:`~authmw.callbacks.Callbacks` or a mapping.
    :param events: :class:`~authmw.callbacks.Events` or a mapping.
    :param cookies: per-cookie overrides, e.g. ``{"session_token": {"domain": "example.com"}}``.
    :param cookie_prefix: cookie name prefix (``authmw``; ``next-auth`` to share with Next.js).
    :param theme: :class:`~authmw.pages.render.Theme` or a mapping, for the built-in pages.
    :param template_dirs: folders searched first for page templates (to override them).
    :param adapter: a database adapter (users, accounts, database sessions).
    :param rate_limits: :class:`~authmw.throttle.RateLimits` or a mapping of its fields
        (``{"email_per_address": "3/hour"}``, ``None`` turns one off); ``False`` turns all off.
    :param handlers: extra or replacement endpoint handlers, ``{action: handler}``.
    :param debug: log each flow step at DEBUG level (never secrets: values are redacted).
    :param logger: a logger that receives every authmw record as well
        (``logging.getLogger("authmw")`` when not given).
    """

    def __init__(
        self,
        *,
        secret: str | Sequence[str] | None = None,
        url: str | None = None,
        trust_host: bool | None = None,
        base_path: str = "/api/auth",
        providers: Iterable[Provider] = (),
        session: SessionOptions | Mapping[str, Any] | None = None,
        pages: Pages | Mapping[str, Any] | None = None,
        callbacks: Callbacks | Mapping[str, Callback] | None = None,
        events: Events | Mapping[str, Callback] | None = None,
        cookies: Mapping[str, Mapping[str, Any]] | None = None,
        cookie_prefix: str = "authmw",
        theme: Theme | Mapping[str, Any] | None = None,
        template_dirs: Sequence[str | os.PathLike[str]] = (),
        adapter: Any = None,
        rate_limits: RateLimits | Mapping[str, Any] | bool | None = None,
        handlers: Mapping[str, Handler] | None = None,
        debug: bool = False,
        logger: logging.Logger | None = None,
    ) -> None:
        # -- settings: validated values -----------------------------------------------------
        self.secrets = resolve_secrets(secret)
        self.trust_host = resolve_trust_host(trust_host)
        self.base_path = resolve_base_path(base_path)
        self.url = resolve_url(url, trust_host=self.trust_host, base_path=self.base_path)
        self.providers: dict[str, Provider] = _provider_table(providers)
        self.adapter = adapter
        #: Revocation list, replay markers and throttle counters: in the adapter's database
        #: when it offers one (every worker sees them), else in this process only.
        self.shared_state, self.state_is_shared = state_for(adapter)
        self.rate_limits = coerce_rate_limits(rate_limits)
        options = coerce_options(session, SessionOptions, "session")
        self.session_options: SessionOptions = options.resolved(has_adapter=adapter is not None)
        self.pages: Pages = coerce_options(pages, Pages, "pages")
        self.callbacks = coerce_callbacks(callbacks)
        self.events = coerce_events(events)
        #: The rate limits providers ask before any work (counters in ``shared_state``).
        self.throttle = Throttle(
            self.rate_limits,
            self.shared_state,
            on_throttled=lambda **kw: self.events.emit("throttled", **kw),
        )
        self.debug = bool(debug)
        self.logger = _log.configure(logger, debug=self.debug)
        if not isinstance(cookie_prefix, str) or not cookie_prefix.replace("-", "").isalnum():
            raise ConfigurationError("cookie_prefix must be letters, digits and dashes")
        # -- collaborators, each built once with what it needs --------------------------------
        theme_obj = theme if isinstance(theme, Theme) else coerce_options(theme, Theme, "theme")
        self.renderer = PageRenderer(theme_obj, template_dirs=template_dirs)
        self.csrf = CsrfTokens(self.secrets)
        self.callback_url_signer = SignedValues(self.secrets, salt="authmw.callback-url")
        self.scheme_keys = SchemeKeysSelector(
            self.secrets,
            prefix=cookie_prefix,
            scheme=self.session_options.scheme,
            url=self.url,
            overrides=cookies,
        )
        self.handlers: dict[str, Handler] = {**default_handlers(), **(handlers or {})}
        #: Refreshes provider access tokens kept in the session token (None when unused).
        self.token_refresher = make_token_refresher(self.providers.values())
        self.strategy: SessionStrategy = make_strategy(
            self.session_options,
            callbacks=self.callbacks,
            adapter=adapter,
            refresher=self.token_refresher,
            state=self.shared_state,
        )
        self.users = (
            AccountLinking(
                adapter=adapter,
                events=self.events,
                database_sessions=self.session_options.strategy == "database",
            )
            if adapter is not None
            else None
        )
        self.completion = SignInCompletion(
            callbacks=self.callbacks,
            events=self.events,
            strategy=self.strategy,
            linking=self.users,
            new_user_page=self.pages.new_user,
        )
        # -- providers validate against the finished configuration --------------------------
        for provider in self.providers.values():
            provider.setup(self)

    @property
    def endpoints(self) -> EndpointServices:
        """What the auth endpoints use, as handed to the dispatcher."""
        return EndpointServices(
            base_path=self.base_path,
            url=self.url,
            pages=self.pages,
            providers=self.providers,
            csrf=self.csrf,
            callback_url_signer=self.callback_url_signer,
            callbacks=self.callbacks,
            events=self.events,
            renderer=self.renderer,
            strategy=self.strategy,
            scheme_keys=self.scheme_keys,
            completion=self.completion,
            adapter=self.adapter,
            users=self.users,
            logger=self.logger,
        )

    # -- answers about a request, for app code (the middlewares use the values above) -------

    def base_url(self, environ: WSGIEnvironment) -> str:
        """The app's public base URL for this request (configured, or from the Host header)."""
        return base_url(self.url, environ)

    #: The old name of :meth:`base_url` (a base URL with the mount path, not a web origin).
    origin = base_url

    def realm(self, environ: WSGIEnvironment) -> SchemeKeys:
        """Cookie names and keys for this request."""
        return self.scheme_keys(environ)

    # -- sessions started or ended by the app's own code ----------------------------------

    def sign_in(
        self, environ: WSGIEnvironment, user: Mapping[str, Any], *, provider: str | None = None
    ) -> list[tuple[str, str]]:
        """Sign *user* in from your own code (after a sign-up form, say): the ``Set-Cookie``
        headers to add to your response. The callbacks, events and stored user are those of a
        password sign-in. :raises AuthError: the ``sign_in`` callback refused."""
        return sign_in_headers(self.endpoints, environ, user, provider=provider)

    def sign_out(self, environ: WSGIEnvironment) -> list[tuple[str, str]]:
        """End the request's session from your own code: the ``Set-Cookie`` headers to send.
        The provider's session is left alone (see :meth:`sign_out_redirect`)."""
        return sign_out_headers(self.endpoints, environ)

    def revoke_user(self, user_id: str) -> None:
        """End every session of *user_id*, on every worker sharing the adapter's database:
        database sessions are deleted, JWT sessions signed in until now are refused.

        :raises ConfigurationError: the adapter cannot delete a user's sessions.
        :raises AdapterUnavailable: the store cannot be reached."""
        self.strategy.revoke_user(str(user_id))

    def sign_out_redirect(
        self, environ: WSGIEnvironment, callback_url: str | None = None
    ) -> SignOutRedirect:
        """End the request's session as the sign-out button does, signing out of the provider
        too where it has ``sign_out_of_provider`` on: answer with a redirect to ``.location``
        (that page, or *callback_url*, sanitized) and ``.headers``."""
        return sign_out_redirect(self.endpoints, environ, callback_url)

    # -- composition ----------------------------------------------------------------------

    def wrap(
        self,
        app: WSGIApplication,
        rules: Iterable[Rule | Mapping[str, Any]] = (),
        *,
        default: Literal["public", "signed_in"] = "public",
    ) -> WSGIApplication:
        """Wrap *app* in the full stack: session -> dispatch -> rules -> app."""
        return build_stack(self, app, rules, default=default)

    def __repr__(self) -> str:
        return (
            f"Auth(url={self.url!r}, base_path={self.base_path!r}, "
            f"providers={list(self.providers)!r}, secret=<{len(self.secrets)} hidden>)"
        )


__all__ = ["DAY", "MIN_SECRET_LENGTH", "Auth", "Pages", "Realm", "SessionOptions"]
