"""``{base}/callback/<provider>``: finish a sign-in and issue the session."""

from __future__ import annotations

from typing import TYPE_CHECKING

from webob import Response

from .base import Handler

if TYPE_CHECKING:
    from ..dispatch.context import RequestContext


class CallbackHandler(Handler):
    methods = frozenset({"GET", "POST"})
    takes_provider = True

    def handle(self, ctx: RequestContext) -> Response:
        provider = ctx.provider
        if provider is None:
            return ctx.redirect(ctx.sign_in_page_url())
        method = ctx.request.method
        if method not in provider.callback_methods:
            response = Response(status=405, content_type="text/plain", charset="utf-8")
            response.text = "Method Not Allowed"
            response.headers["Allow"] = ", ".join(sorted(provider.callback_methods))
            return response
        if provider.callback_needs_csrf and not ctx.csrf_valid():
            return ctx.redirect(ctx.auth_url("signin", csrf="true"))
        result = provider.finish(ctx)
        return ctx.auth.completion.complete(ctx, provider, result)
