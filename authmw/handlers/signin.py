"""``{base}/signin[/<provider>]``: the sign-in page (GET) and the start of a flow (POST)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import SIGNIN_ERROR_CODES
from .base import Handler
from .providers import provider_list

if TYPE_CHECKING:
    from webob import Response

    from ..dispatch.context import RequestContext


class SignInHandler(Handler):
    methods = frozenset({"GET", "POST"})
    takes_provider = True

    def handle(self, ctx: RequestContext) -> Response:
        if ctx.request.method == "POST":
            return self.start(ctx)
        return self.page(ctx)

    def page(self, ctx: RequestContext) -> Response:
        """The built-in sign-in page, or a redirect to ``pages.sign_in``. No side effects."""
        error = ctx.query.get("error")
        error = error if error in SIGNIN_ERROR_CODES else ("Default" if error else None)
        callback_url = ctx.callback_url()
        if ctx.auth.pages.sign_in:
            return ctx.redirect(ctx.sign_in_page_url(callbackUrl=callback_url, error=error or ""))
        providers: list[dict[str, Any]] = []
        for info in provider_list(ctx).values():
            provider = ctx.auth.providers[info["id"]]
            providers.append({**info, **provider.page_info(), "style": provider.style})
        body = ctx.auth.renderer.sign_in(
            providers=providers,
            csrf_token=ctx.csrf_token(),
            callback_url=callback_url,
            error=error,
            email=ctx.query.get("email"),
            csrf_expired=ctx.query.get("csrf") == "true",
            retry_after=ctx.query.get("retryAfter"),
        )
        return ctx.html(body)

    def start(self, ctx: RequestContext) -> Response:
        """``POST /signin/<id>``: CSRF-checked, then the provider starts its flow."""
        provider = ctx.provider
        if provider is None:
            return ctx.redirect(ctx.sign_in_page_url())
        if not ctx.csrf_valid():
            return ctx.redirect(ctx.auth_url("signin", csrf="true"))
        ctx.callback_url()
        return provider.begin(ctx)
