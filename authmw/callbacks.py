"""Callbacks and events, as NextAuth has them, with Python keyword arguments.

A callback may declare only the keywords it needs (``def jwt(token, user=None): ...``) or take
``**kwargs``; authmw passes the keywords each one declares.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from .errors import AuthError, ConfigurationError, unknown_names_message
from .security.redirects import default_redirect

log = logging.getLogger("authmw.callbacks")

Callback = Callable[..., Any]


def _default_sign_in(**_: Any) -> bool:
    return True


def _default_jwt(*, token: dict[str, Any], **_: Any) -> dict[str, Any]:
    return token


def _default_session(*, session: dict[str, Any], **_: Any) -> dict[str, Any]:
    return session


#: The keyword arguments authmw passes to each callback and event.
KEYWORDS: dict[str, frozenset[str]] = {
    "callbacks.sign_in": frozenset({"user", "account", "profile", "email", "credentials"}),
    "callbacks.redirect": frozenset({"url", "base_url"}),
    "callbacks.jwt": frozenset(
        {"token", "user", "account", "profile", "trigger", "is_new_user", "session"}
    ),
    "callbacks.session": frozenset({"session", "token", "user"}),
    "events.sign_in": frozenset({"user", "account", "profile", "is_new_user"}),
    "events.sign_out": frozenset({"token", "session"}),
    "events.create_user": frozenset({"user"}),
    "events.update_user": frozenset({"user"}),
    "events.link_account": frozenset({"user", "account", "profile"}),
    "events.session": frozenset({"session", "token"}),
    "events.throttled": frozenset(
        {"limit", "provider", "identifier", "client_address", "retry_after"}
    ),
}
_NAMED = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


def keyword_caller(func: Callback, name: str) -> Callback:
    """Wrap *func* so it receives only the keyword arguments it declares.

    :raises ConfigurationError: *func* declares a parameter authmw never passes to *name*
        (a typo such as ``usr``), or one that cannot be passed by keyword.
    """
    if not callable(func):
        raise ConfigurationError(f"{name} must be callable, got {type(func).__name__}")
    try:
        params = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):  # builtins without a signature: pass everything
        return func
    known = KEYWORDS.get(name)
    if known is not None:
        _check_parameters(params, known, name)
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return func
    accepted = frozenset(p.name for p in params if p.kind in _NAMED)

    def call(**kwargs: Any) -> Any:
        return func(**{k: v for k, v in kwargs.items() if k in accepted})

    call.__wrapped__ = func  # type: ignore[attr-defined]
    return call


def _check_parameters(
    params: Iterable[inspect.Parameter], known: frozenset[str], name: str
) -> None:
    for param in params:
        if param.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            continue
        if param.kind is inspect.Parameter.POSITIONAL_ONLY or param.name not in known:
            raise ConfigurationError(
                f"{name}: parameter {param.name!r} is never passed; "
                f"it receives {', '.join(sorted(known))} (as keywords)"
            )


@dataclass
class Callbacks:
    """NextAuth's callbacks: ``sign_in``, ``redirect``, ``jwt`` and ``session``.

    - ``sign_in(user, account, profile, email, credentials) -> bool | str``
    - ``redirect(url, base_url) -> str``
    - ``jwt(token, user, account, profile, trigger, is_new_user, session) -> dict``
    - ``session(session, token, user) -> dict``
    """

    sign_in: Callback = _default_sign_in
    redirect: Callback = default_redirect
    jwt: Callback = _default_jwt
    session: Callback = _default_session

    def __post_init__(self) -> None:
        for f in fields(self):
            setattr(self, f.name, keyword_caller(getattr(self, f.name), f"callbacks.{f.name}"))

    def sign_in_verdict(self, provider_id: str, **arguments: Any) -> str | None:
        """Ask ``sign_in``: ``None`` to go on, or the URL it sends the browser to instead.

        :raises AuthError: ``AccessDenied`` when it refuses (``False``/``None``) or raises.
        """
        try:
            verdict = self.sign_in(**arguments)
        except Exception:
            log.exception("callbacks.sign_in raised for provider %s", provider_id)
            raise AuthError("AccessDenied", detail="sign_in callback raised") from None
        if verdict is False or verdict is None:
            raise AuthError("AccessDenied", detail="sign_in callback refused")
        return verdict if isinstance(verdict, str) else None


@dataclass
class Events:
    """Fire-and-forget notifications; an exception in one is logged, never raised."""

    sign_in: Callback | None = None
    sign_out: Callback | None = None
    create_user: Callback | None = None
    update_user: Callback | None = None
    link_account: Callback | None = None
    session: Callback | None = None
    #: A sign-in attempt was refused by a rate limit (never receives the password).
    throttled: Callback | None = None
    #: An identity provider ended sessions by back-channel logout (``provider``, ``sub``,
    #: ``sid``; either may be ``None``).
    backchannel_logout: Callback | None = None
    _wrapped: dict[str, Callback] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name != "_wrapped" and value is not None:
                self._wrapped[f.name] = keyword_caller(value, f"events.{f.name}")

    def emit(self, name: str, **kwargs: Any) -> None:
        handler = self._wrapped.get(name)
        if handler is None:
            return
        try:
            handler(**kwargs)
        except Exception:
            log.exception("events.%s raised; ignored", name)


def mapping_from(call: Callable[[], Any], *, code: str, what: str) -> Mapping[str, Any]:
    """The mapping app code returns (a callback, a profile mapper); if it raises or returns
    something else, an :class:`~authmw.errors.AuthError` with *code* (logged, never shown)."""
    try:
        value = call()
    except Exception:
        log.exception("%s raised", what)
        raise AuthError(code, detail=f"{what} raised") from None
    if not isinstance(value, Mapping):
        raise AuthError(code, detail=f"{what} must return a mapping")
    return value


def coerce_callbacks(value: Callbacks | Mapping[str, Callback] | None) -> Callbacks:
    if value is None:
        return Callbacks()
    if isinstance(value, Callbacks):
        return value
    return Callbacks(**_checked(value, Callbacks, "callbacks"))


def coerce_events(value: Events | Mapping[str, Callback] | None) -> Events:
    if value is None:
        return Events()
    if isinstance(value, Events):
        return value
    return Events(**_checked(value, Events, "events"))


def _checked(value: Mapping[str, Any], cls: type, what: str) -> dict[str, Any]:
    known = {f.name for f in fields(cls) if not f.name.startswith("_")}
    unknown = set(value) - known
    if unknown:
        raise ConfigurationError(unknown_names_message(what, unknown, known))
    return dict(value)
