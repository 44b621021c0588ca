"""``{base}/callback/<provider>``: finish a sign-in and issue the session."""

from __future__ import annotations

from typing import TYPE_CHECKING

from webob import Response

from ..errors import AuthError
from .base import Handler

if TYPE_CHECKING:
    from ..dispatch.context import RequestContext
    from ..providers.base import Confirmation


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
        if method == "POST" and provider.callback_needs_csrf and not ctx.csrf_valid():
            return ctx.redirect(ctx.auth_url("signin", csrf="true"))
        try:
            pending = provider.confirmation(ctx)
            if pending is not None:
                return _confirmation_page(ctx, provider.id, pending)
            result = provider.finish(ctx)
        except AuthError as exc:
            refused = exc.code == "CredentialsSignin" and provider.refusal_as_error_url
            if refused and ctx.wants_json:
                return _credentials_refused(ctx, provider.id, exc)
            raise
        return ctx.auth.completion.complete(ctx, provider, result)


def _credentials_refused(ctx: RequestContext, provider_id: str, exc: AuthError) -> Response:
    """NextAuth v4's answer to refused credentials with ``json=true``: 401 and the URL of the
    error endpoint, ``{base}/error?error=CredentialsSignin&provider=<id>`` (its client reads
    ``error`` from it). A browser posting the form still goes straight to the sign-in page."""
    url = ctx.auth_url("error", error=exc.code, provider=provider_id)
    return ctx.json({"url": url}, status=exc.status)


def _confirmation_page(ctx: RequestContext, provider_id: str, pending: Confirmation) -> Response:
    """The one-button page that confirms a callback with a CSRF-checked ``POST`` (S-S9)."""
    body = ctx.auth.renderer.confirm_sign_in(
        address=pending.address,
        action_url=ctx.auth_url("callback", provider_id),
        csrf_token=ctx.csrf_token(),
        fields=pending.fields,
    )
    ctx.posts_back = True
    return ctx.html(body)
