"""``{base}/signout``: the confirmation page (GET) and sign-out itself (POST, CSRF-checked).

A session signed in with a provider that has ``sign_out_of_provider`` on ends here first
(cookies cleared, row deleted); then the browser goes to the provider's sign-out page instead
of straight to the ``callbackUrl`` (next-auth's client gets that URL as ``{"url": ...}``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import Handler
from .ending import end_session

if TYPE_CHECKING:
    from webob import Response

    from ..dispatch.context import RequestContext


class SignOutHandler(Handler):
    methods = frozenset({"GET", "POST"})

    def handle(self, ctx: RequestContext) -> Response:
        if ctx.request.method == "POST":
            return self.sign_out(ctx)
        if ctx.auth.pages.sign_out:
            return ctx.redirect(ctx.page_url(ctx.auth.pages.sign_out, "signout"))
        body = ctx.auth.renderer.sign_out(
            csrf_token=ctx.csrf_token(),
            callback_url=ctx.callback_url(),
            action_url=ctx.auth_url("signout"),
            csrf_expired=ctx.query.get("csrf") == "true",
        )
        return ctx.html(body)

    def sign_out(self, ctx: RequestContext) -> Response:
        if not ctx.csrf_valid():
            return ctx.redirect(ctx.auth_url("signout", csrf="true"))
        return ctx.redirect(end_session(ctx, ctx.callback_url()))
