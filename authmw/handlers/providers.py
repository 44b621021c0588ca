"""``GET {base}/providers``: the public provider list."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import Handler

if TYPE_CHECKING:
    from webob import Response

    from ..dispatch.context import RequestContext


def provider_list(ctx: RequestContext) -> dict[str, dict[str, Any]]:
    """NextAuth's ``{id: {id, name, type, signinUrl, callbackUrl}}``."""
    return {
        provider.id: {
            "id": provider.id,
            "name": provider.name,
            "type": provider.type,
            "signinUrl": ctx.auth_url("signin", provider.id),
            "callbackUrl": ctx.auth_url("callback", provider.id),
        }
        for provider in ctx.auth.providers.values()
    }


class ProvidersHandler(Handler):
    def handle(self, ctx: RequestContext) -> Response:
        return ctx.json(provider_list(ctx))
