"""Composition of the three middlewares in the one right order.

request -> SessionMiddleware -> AuthDispatcher -> RulesMiddleware -> your app
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, Protocol

from ._types import WSGIApplication
from .adapters.base import AdapterUnavailable
from .dispatch.router import AuthDispatcher, EndpointSource
from .multiprocess import InProcessStateWarning
from .rules.middleware import RulesMiddleware
from .session.middleware import SessionMiddleware, SessionSource
from .util.urls import sign_in_path

if TYPE_CHECKING:
    from .options import Pages
    from .pages.render import PageRenderer
    from .rules.model import Rule


class StackSource(SessionSource, EndpointSource, Protocol):
    """What the stack takes from :class:`~authmw.Auth` (all read once, here)."""

    @property
    def base_path(self) -> str: ...

    @property
    def pages(self) -> Pages: ...

    @property
    def adapter(self) -> Any: ...

    @property
    def renderer(self) -> PageRenderer: ...

    @property
    def state_is_shared(self) -> bool: ...


log = logging.getLogger("authmw.store")


def rules_middleware(
    auth: StackSource,
    app: WSGIApplication,
    rules: Iterable[Rule | Mapping[str, Any]],
    *,
    default: Literal["public", "signed_in"] = "public",
) -> RulesMiddleware:
    """A :class:`RulesMiddleware` whose redirects go to this configuration's sign-in page."""
    return RulesMiddleware(
        app,
        rules,
        sign_in_url=sign_in_path(auth.pages.sign_in, auth.base_path),
        default=default,
        exempt_prefixes=(auth.base_path + "/",),
        renderer=auth.renderer,
    )


def announce_store(adapter: Any) -> None:
    """Say at start-up, in one line, that the store does not answer (never its password).

    authmw keeps serving: public paths work, and sign-in and protected paths answer 503 until
    the store is back, so a database that starts after the app needs no restart.
    """
    ping = getattr(adapter, "ping", None)
    if ping is None:
        return
    try:
        ping()
    except AdapterUnavailable as exc:
        log.warning(
            "%r does not answer at start-up (%s); serving anyway: sign-in and protected "
            "paths answer 503 until it does",
            adapter,
            exc,
        )


def build_stack(
    auth: StackSource,
    app: WSGIApplication,
    rules: Iterable[Rule | Mapping[str, Any]] = (),
    *,
    default: Literal["public", "signed_in"] = "public",
) -> WSGIApplication:
    """``SessionMiddleware(AuthDispatcher(RulesMiddleware(app)))``; rules skipped when none.

    Without a shared store, :class:`~authmw.multiprocess.InProcessStateWarning` goes around it
    all, to say so once per worker process when there are several.
    """
    announce_store(auth.adapter)
    rules = list(rules)
    inner: WSGIApplication = app
    if rules or default != "public":
        inner = rules_middleware(auth, app, rules, default=default)
    stack: WSGIApplication = SessionMiddleware(AuthDispatcher(inner, auth), auth)
    return stack if auth.state_is_shared else InProcessStateWarning(stack)
