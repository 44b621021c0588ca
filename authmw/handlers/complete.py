"""Moved to :mod:`authmw.accounts.completion`; this name is kept so old imports still work."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from webob import Response

    from ..dispatch.context import RequestContext
    from ..providers.base import Provider, SignInResult


def complete_sign_in(ctx: RequestContext, provider: Provider, result: SignInResult) -> Response:
    """Run ``sign_in`` and ``jwt`` callbacks, issue a new session and redirect."""
    return ctx.auth.completion.complete(ctx, provider, result)
