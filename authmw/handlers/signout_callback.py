"""``{base}/signout-callback/<provider>``: where a provider's sign-out page sends the browser
back (the ``post_logout_redirect_uri`` registered at the provider).

It changes no session (that ended before the browser left) and only clears the sign-out state
cookie; the provider decides nothing about where the browser lands (see
:mod:`authmw.providers.end_session`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from webob import Response

from .base import Handler

if TYPE_CHECKING:
    from ..dispatch.context import RequestContext


class SignOutCallbackHandler(Handler):
    takes_provider = True

    def handle(self, ctx: RequestContext) -> Response:
        provider = ctx.provider
        url = provider.finish_sign_out(ctx) if provider is not None else ctx.base_url
        response = Response(status=302)  # a browser navigation: never the JSON answer
        response.headers["Location"] = url
        return response
