"""``GET {base}/error?error=CODE``: the error page (or a redirect to ``pages.error``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import ERROR_PAGE_CODES, SIGNIN_ERROR_CODES
from ..pages.messages import error_page_status
from .base import Handler

if TYPE_CHECKING:
    from webob import Response

    from ..dispatch.context import RequestContext


class ErrorHandler(Handler):
    def handle(self, ctx: RequestContext) -> Response:
        raw = ctx.query.get("error", "Default")
        if raw in SIGNIN_ERROR_CODES and raw != "Default":
            return ctx.redirect(ctx.sign_in_page_url(error=raw))
        code = raw if raw in ERROR_PAGE_CODES else "Default"
        if ctx.auth.pages.error:
            return ctx.redirect(ctx.page_url(ctx.auth.pages.error, "error", error=code))
        body = ctx.auth.renderer.error(
            code=code, sign_in_url=ctx.auth_url("signin"), home_url=ctx.base_url
        )
        return ctx.html(body, status=error_page_status(code))
