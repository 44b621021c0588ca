"""Validated option values and their environment fallbacks (no I/O beyond ``os.environ``).

Everything :class:`authmw.Auth` is given is checked here once, at construction, and raises
:class:`~authmw.errors.ConfigurationError`; nothing here is read per request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, Literal
from urllib.parse import urlsplit

from .env import SECRET_VARIABLES, TRUST_HOST_VARIABLES, URL_VARIABLES, first_set
from .errors import ConfigurationError, unknown_names_message

__all__ = [
    "DAY",
    "MIN_SECRET_LENGTH",
    "Pages",
    "SessionOptions",
    "TokenScheme",
    "check_secrets",
    "coerce_options",
    "env_flag",
    "resolve_base_path",
    "resolve_secrets",
    "resolve_trust_host",
    "resolve_url",
]

MIN_SECRET_LENGTH = 32
DAY = 24 * 60 * 60

TokenScheme = Literal["v5", "v4"]


@dataclass(frozen=True)
class SessionOptions:
    """How sessions are kept.

    :param strategy: ``"jwt"`` (encrypted cookie, the default) or ``"database"`` (adapter).
    :param max_age: seconds a session lives without activity (30 days).
    :param update_age: how often the expiry is rolled forward (24 hours).
    :param scheme: session token format, ``"v5"`` (Auth.js) or ``"v4"`` (NextAuth 4).
    :param absolute_max_age: seconds a session lives from sign-in however active it is (30
        days; at least *max_age*); rolling never extends it. ``None`` turns it off.
    """

    strategy: Literal["jwt", "database"] | None = None
    max_age: int = 30 * DAY
    update_age: int = DAY
    scheme: TokenScheme = "v5"
    absolute_max_age: int | None = 30 * DAY

    def __post_init__(self) -> None:
        if self.strategy not in (None, "jwt", "database"):
            raise ConfigurationError("session.strategy must be 'jwt' or 'database'")
        if not isinstance(self.max_age, int) or self.max_age <= 0:
            raise ConfigurationError("session.max_age must be a positive number of seconds")
        if not isinstance(self.update_age, int) or not 0 <= self.update_age <= self.max_age:
            raise ConfigurationError("session.update_age must be between 0 and max_age")
        if self.scheme not in ("v5", "v4"):
            raise ConfigurationError("session.scheme must be 'v5' or 'v4'")
        absolute = self.absolute_max_age
        if absolute is not None and (
            not isinstance(absolute, int) or isinstance(absolute, bool) or absolute < self.max_age
        ):
            raise ConfigurationError(
                "session.absolute_max_age must be None or seconds >= max_age "
                "(raise it with max_age, or pass None to turn it off)"
            )

    def resolved(self, *, has_adapter: bool) -> SessionOptions:
        """These options with the strategy chosen (``database`` when there is an adapter)."""
        strategy = self.strategy or ("database" if has_adapter else "jwt")
        if strategy == "database" and not has_adapter:
            raise ConfigurationError("session.strategy='database' needs an adapter")
        return SessionOptions(
            strategy, self.max_age, self.update_age, self.scheme, self.absolute_max_age
        )


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


def coerce_options(value: Any, cls: type[Any], what: str) -> Any:
    """*value* as a *cls*: ``None`` gives the defaults, a mapping gives its known fields."""
    if value is None:
        return cls()
    if isinstance(value, cls):
        return value
    if isinstance(value, Mapping):
        known = {f.name for f in fields(cls)}
        unknown = set(value) - known
        if unknown:
            raise ConfigurationError(unknown_names_message(what, unknown, known))
        return cls(**value)
    raise ConfigurationError(f"{what} must be a {cls.__name__} or a mapping")


def env_flag(*names: str) -> bool:
    """Whether the first of the environment variables *names* that is set is true (``1``,
    ``true``, ``yes``, ``on``)."""
    found = first_set(names)
    return found is not None and found[1].lower() in ("1", "true", "yes", "on")


def resolve_trust_host(trust_host: bool | None) -> bool:
    """*trust_host*, else ``AUTHMW_TRUST_HOST`` (then Auth.js's ``AUTH_TRUST_HOST``)."""
    return env_flag(*TRUST_HOST_VARIABLES) if trust_host is None else bool(trust_host)


def check_secrets(
    secrets: object, *, owner: str, min_length: int = 1, hint: str = ""
) -> tuple[str, ...]:
    """The one validation of a secret list: a non-empty list of strings of *min_length*.

    :raises ConfigurationError: naming *owner* (who needs the secrets).
    """
    if isinstance(secrets, str) or not isinstance(secrets, Sequence) or not secrets:
        raise ConfigurationError(f"{owner} needs a non-empty list of secrets{hint}")
    for item in secrets:
        if not isinstance(item, str) or len(item) < max(min_length, 1):
            raise ConfigurationError(
                f"each secret must be a string of at least {max(min_length, 1)} characters{hint}"
            )
    return tuple(secrets)


def resolve_secrets(secret: str | Sequence[str] | None) -> tuple[str, ...]:
    """The configured secret(s), else ``AUTHMW_SECRET`` (then ``AUTH_SECRET``,
    ``NEXTAUTH_SECRET``); each at least 32 characters."""
    hint = " (generate one with `authmw secret`)"
    if secret is None:
        found = first_set(SECRET_VARIABLES)
        secret = found[1] if found else None
    if secret is None:
        raise ConfigurationError(
            "a secret is required: pass secret=... or set AUTHMW_SECRET (AUTH_SECRET and "
            "NEXTAUTH_SECRET are read too; generate one with `authmw secret`)"
        )
    if isinstance(secret, str):
        secret = (secret,)
    elif not isinstance(secret, list | tuple):
        raise ConfigurationError("secret must be a string or a list of strings")
    if not secret:
        raise ConfigurationError("secret list is empty")
    return check_secrets(secret, owner="Auth", min_length=MIN_SECRET_LENGTH, hint=hint)


def resolve_url(url: str | None, *, trust_host: bool, base_path: str) -> str | None:
    """The public origin (``AUTHMW_URL``, ``AUTH_URL``, ``NEXTAUTH_URL`` fallbacks) without a
    trailing slash nor a trailing *base_path*, or ``None`` when it comes from the request
    (*trust_host*)."""
    if not url:
        found = first_set(URL_VARIABLES)
        url = found[1] if found else None
    if url is None:
        if not trust_host:
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
    if path.endswith(base_path):  # NEXTAUTH_URL's habit: the endpoints' own URL
        path = path[: -len(base_path)]
    return f"{parts.scheme}://{parts.netloc}{path}"


def resolve_base_path(base_path: str) -> str:
    """*base_path* without a trailing slash; it must be a plain absolute path."""
    if not isinstance(base_path, str) or not base_path.startswith("/"):
        raise ConfigurationError("base_path must start with '/'")
    base_path = base_path.rstrip("/")
    if not base_path or "//" in base_path or any(c in base_path for c in "?#%\\ "):
        raise ConfigurationError(f"invalid base_path {base_path!r}")
    return base_path
