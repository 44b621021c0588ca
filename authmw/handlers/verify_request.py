"""``GET {base}/verify-request``: the "check your email" page."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .base import Handler

if TYPE_CHECKING:
    from webob import Response

    from ..dispatch.context import RequestContext


class VerifyRequestHandler(Handler):
    def handle(self, ctx: RequestContext) -> Response:
        if ctx.auth.pages.verify_request:
            return ctx.redirect(
                ctx.page_url(ctx.auth.pages.verify_request, "verify-request", **ctx.query)
            )
        host = urlsplit(ctx.base_url).netloc
        return ctx.html(ctx.auth.renderer.verify_request(host=host, home_url=ctx.base_url))
