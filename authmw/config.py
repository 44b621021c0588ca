"""The configuration object: options validated once, keys and cookie names derived once."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from ._types import WSGIApplication, WSGIEnvironment
from .callbacks import Callback, Callbacks, Events, coerce_callbacks, coerce_events
from .env import SECRET_VARIABLES, URL_VARIABLES, first_set
from .errors import ConfigurationError
from .pages.render import PageRenderer, Theme
from .providers.base import Provider
from .security.cookies import CookieSet, build_cookie_set
from .security.csrf import CsrfTokens
from .security.signing import SignedValues
from .session.jwt import SessionTokenCodec, TokenScheme

if TYPE_CHECKING:
    from .handlers.base import Handler
    from .rules.model import Rule
    from .session.strategy import SessionStrategy

MIN_SECRET_LENGTH = 32
DAY = 24 * 60 * 60


@dataclass(frozen=True)
class SessionOptions:
    """How sessions are kept.

    :param strategy: ``"jwt"`` (encrypted cookie, the default) or ``"database"`` (adapter).
    :param max_age: seconds a session lives without activity (30 days).
    :param update_age: how often the expiry is rolled forward (24 hours).
    :param scheme: session token format, ``"v5"`` (Auth.js) or ``"v4"`` (NextAuth 4).
    """

    strategy: Literal["jwt", "database"] | None = None
    max_age: int = 30 * DAY
    update_age: int = DAY
    scheme: TokenScheme = "v5"

    def __post_init__(self) -> None:
        if self.strategy not in (None, "jwt", "database"):
            raise ConfigurationError("session.strategy must be 'jwt' or 'database'")
        if not isinstance(self.max_age, int) or self.max_age <= 0:
            raise ConfigurationError("session.max_age must be a positive number of seconds")
        if not isinstance(self.update_age, int) or not 0 <= self.update_age <= self.max_age:
            raise ConfigurationError("session.update_age must be between 0 and max_age")
        if self.scheme not in ("v5", "v4"):
            raise ConfigurationError("session.scheme must be 'v5' or 'v4'")


@dataclass(frozen=True)
class Pages:
    """Your own pages to use instead of the built-in ones (paths or same-origin URLs)."""

    sign_in: str | None = None
    sign_out: str | None = None
    error: str | None = None
    verify_request: str | None = None
    new_user: str | None = None

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            if not isinstance(value, str) or not value.startswith(("/", "http://", "https://")):
                raise ConfigurationError(f"pages.{f.name} must be a path or an http(s) URL")
            if value.startswith("//") or any(c in value for c in "\r\n\\"):
                raise ConfigurationError(f"pages.{f.name} is not a safe URL")


@dataclass(frozen=True, slots=True)
class Realm:
    """What depends on the origin's scheme: cookie names and the keys salted by them."""

    cookies: CookieSet
    session_codec: SessionTokenCodec
    check_codecs: Mapping[str, SessionTokenCodec]


def _options(value: Any, cls: type[Any], what: str) -> Any:
    if value is None:
        return cls()
    if isinstance(value, cls):
        return value
    if isinstance(value, Mapping):
        known = {f.name for f in fields(cls)}
        unknown = set(value) - known
        if unknown:
            raise ConfigurationError(f"unknown {what} options: {', '.join(sorted(unknown))}")
        return cls(**value)
    raise ConfigurationError(f"{what} must be a {cls.__name__} or a mapping")


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
    :param handlers: extra or replacement endpoint handlers, ``{action: handler}``.
    :param debug: log more (never secrets).
    :param logger: the logger to use (``logging.getLogger("authmw")``).
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
        handlers: Mapping[str, Handler] | None = None,
        debug: bool = False,
        logger: logging.Logger | None = None,
    ) -> None:
        self.secrets = self._secrets(secret)
        if trust_host is None:
            found = first_set(("AUTHMW_TRUST_HOST", "AUTH_TRUST_HOST"))
            trust_host = found is not None and found[1].lower() in ("1", "true", "yes", "on")
        self.trust_host = trust_host
        self.base_path = self._base_path(base_path)
        self.url = self._url(url)
        self.providers: dict[str, Provider] = {}
        for provider in providers:
            if not isinstance(provider, Provider):
                raise ConfigurationError(f"not a provider: {provider!r}")
            if provider.id in self.providers:
                raise ConfigurationError(f"duplicate provider id {provider.id!r}")
            self.providers[provider.id] = provider
        self.adapter = adapter
        options = _options(session, SessionOptions, "session")
        if options.strategy is None:
            options = SessionOptions(
                strategy="database" if adapter is not None else "jwt",
                max_age=options.max_age,
                update_age=options.update_age,
                scheme=options.scheme,
            )
        if options.strategy == "database" and adapter is None:
            raise ConfigurationError("session.strategy='database' needs an adapter")
        self.session_options: SessionOptions = options
        self.pages: Pages = _options(pages, Pages, "pages")
        self.callbacks = coerce_callbacks(callbacks)
        self.events = coerce_events(events)
        self.debug = debug
        self.logger = logger or logging.getLogger("authmw")
        if not isinstance(cookie_prefix, str) or not cookie_prefix.replace("-", "").isalnum():
            raise ConfigurationError("cookie_prefix must be letters, digits and dashes")
        theme_obj = _options(theme, Theme, "theme") if not isinstance(theme, Theme) else theme
        self.renderer = PageRenderer(theme_obj, template_dirs=template_dirs)
        self.csrf = CsrfTokens(self.secrets)
        self.callback_url_signer = SignedValues(self.secrets, salt="authmw.callback-url")
        self._realms = {
            secure: self._realm(cookie_prefix, secure, cookies) for secure in (False, True)
        }
        self._fixed_realm = (
            self._realms[self.url.startswith("https://")] if self.url is not None else None
        )
        for provider in self.providers.values():
            provider.setup(self)
        from .handlers import default_handlers
        from .providers.refresh import make_token_refresher
        from .session.strategy import make_strategy

        self.handlers: dict[str, Handler] = {**default_handlers(), **(handlers or {})}
        self.strategy: SessionStrategy = make_strategy(self)
        from .users import Users  # issue 4: account linking when users are stored

        self.users = Users(self) if adapter is not None else None
        #: Refreshes provider access tokens kept in the session token (None when unused).
        self.token_refresher = make_token_refresher(self)

    # -- construction helpers -------------------------------------------------------------

    @staticmethod
    def _secrets(secret: str | Sequence[str] | None) -> tuple[str, ...]:
        if secret is None:
            found = first_set(SECRET_VARIABLES)
            secret = found[1] if found else None
        if secret is None:
            raise ConfigurationError(
                "a secret is required: pass secret=... or set AUTHMW_SECRET (AUTH_SECRET and "
                "NEXTAUTH_SECRET are read too; generate one with `authmw secret`)"
            )
        if isinstance(secret, str):
            secrets: tuple[str, ...] = (secret,)
        elif isinstance(secret, (list, tuple)):
            secrets = tuple(secret)
        else:
            raise ConfigurationError("secret must be a string or a list of strings")
        if not secrets:
            raise ConfigurationError("secret list is empty")
        for item in secrets:
            if not isinstance(item, str) or len(item) < MIN_SECRET_LENGTH:
                raise ConfigurationError(
                    f"each secret must be a string of at least {MIN_SECRET_LENGTH} characters "
                    "(generate one with `authmw secret`)"
                )
        return secrets

    def _url(self, url: str | None) -> str | None:
        if not url:
            found = first_set(URL_VARIABLES)
            url = found[1] if found else None
        if url is None:
            if not self.trust_host:
                raise ConfigurationError(
                    "url is required (the public origin, e.g. https://app.example): pass url=..., "
                    "set AUTHMW_URL, or set trust_host=True behind a trusted proxy"
                )
            return None
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(f"url must be an absolute http(s) URL, got {url!r}")
        if parts.query or parts.fragment or parts.username:
            raise ConfigurationError("url must not have a query, fragment or user info")
        path = parts.path.rstrip("/")
        if path.endswith(self.base_path):  # NEXTAUTH_URL's habit: the endpoints' own URL
            path = path[: -len(self.base_path)]
        return f"{parts.scheme}://{parts.netloc}{path}"

    @staticmethod
    def _base_path(base_path: str) -> str:
        if not isinstance(base_path, str) or not base_path.startswith("/"):
            raise ConfigurationError("base_path must start with '/'")
        base_path = base_path.rstrip("/")
        if not base_path or "//" in base_path or any(c in base_path for c in "?#%\\ "):
            raise ConfigurationError(f"invalid base_path {base_path!r}")
        return base_path

    def _realm(
        self, prefix: str, secure: bool, overrides: Mapping[str, Mapping[str, Any]] | None
    ) -> Realm:
        cookies = build_cookie_set(prefix, secure=secure, overrides=overrides)
        scheme = self.session_options.scheme
        salt = cookies.session_token.name
        if scheme == "v4":
            salt = ""
        session_codec = SessionTokenCodec(self.secrets, salt=salt, scheme=scheme)
        check_codecs = {
            spec.name: SessionTokenCodec(self.secrets, salt=spec.name, scheme="v5", cache_size=0)
            for spec in (cookies.state, cookies.pkce_code_verifier, cookies.nonce)
        }
        return Realm(cookies=cookies, session_codec=session_codec, check_codecs=check_codecs)

    # -- per request ----------------------------------------------------------------------

    def origin(self, environ: WSGIEnvironment) -> str:
        """The app's public base URL for this request (configured, or from the Host header)."""
        if self.url is not None:
            return self.url
        scheme = environ.get("wsgi.url_scheme", "http")
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "localhost")
        return f"{scheme}://{host}{environ.get('SCRIPT_NAME', '')}".rstrip("/")

    def realm(self, environ: WSGIEnvironment) -> Realm:
        """Cookie names and keys for this request."""
        if self._fixed_realm is not None:
            return self._fixed_realm
        return self._realms[environ.get("wsgi.url_scheme") == "https"]

    # -- composition ----------------------------------------------------------------------

    def wrap(
        self,
        app: WSGIApplication,
        rules: Iterable[Rule | Mapping[str, Any]] = (),
        *,
        default: Literal["public", "signed_in"] = "public",
    ) -> WSGIApplication:
        """Wrap *app* in the full stack: session -> dispatch -> rules -> app."""
        from .stack import build_stack

        return build_stack(self, app, rules, default=default)

    def __repr__(self) -> str:
        return (
            f"Auth(url={self.url!r}, base_path={self.base_path!r}, "
            f"providers={list(self.providers)!r}, secret=<{len(self.secrets)} hidden>)"
        )
