"""``GET {base}/csrf``: the CSRF token bound to the csrf cookie."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import Handler

if TYPE_CHECKING:
    from webob import Response

    from ..dispatch.context import RequestContext


class CsrfHandler(Handler):
    def handle(self, ctx: RequestContext) -> Response:
        token = ctx.csrf_token()
        ctx.callback_url()
        return ctx.json({"csrfToken": token})
