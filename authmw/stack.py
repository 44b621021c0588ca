"""Composition of the three middlewares in the one right order.

request -> SessionMiddleware -> AuthDispatcher -> RulesMiddleware -> your app
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

from ._types import WSGIApplication
from .dispatch.router import AuthDispatcher
from .rules.middleware import RulesMiddleware
from .session.middleware import SessionMiddleware

if TYPE_CHECKING:
    from .config import Auth
    from .rules.model import Rule


def rules_middleware(
    auth: Auth,
    app: WSGIApplication,
    rules: Iterable[Rule | Mapping[str, Any]],
    *,
    default: Literal["public", "signed_in"] = "public",
) -> RulesMiddleware:
    """A :class:`RulesMiddleware` whose redirects go to this configuration's sign-in page."""
    return RulesMiddleware(
        app,
        rules,
        sign_in_url=auth.pages.sign_in or f"{auth.base_path}/signin",
        default=default,
        exempt_prefixes=(auth.base_path + "/",),
    )


def build_stack(
    auth: Auth,
    app: WSGIApplication,
    rules: Iterable[Rule | Mapping[str, Any]] = (),
    *,
    default: Literal["public", "signed_in"] = "public",
) -> WSGIApplication:
    """``SessionMiddleware(AuthDispatcher(RulesMiddleware(app)))``; rules skipped when none."""
    rules = list(rules)
    inner: WSGIApplication = app
    if rules or default != "public":
        inner = rules_middleware(auth, app, rules, default=default)
    return SessionMiddleware(AuthDispatcher(inner, auth), auth)
