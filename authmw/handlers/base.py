"""The handler interface: one object per auth endpoint."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from webob import Response

    from ..dispatch.context import RequestContext


class Handler:
    """Serves ``{base_path}/<action>``; subclass it to add or replace an endpoint.

    :cvar methods: HTTP methods accepted (HEAD is served as GET).
    :cvar takes_provider: whether ``/<action>/<provider id>`` is routed here.
    """

    methods: ClassVar[frozenset[str]] = frozenset({"GET"})
    takes_provider: ClassVar[bool] = False

    def handle(self, ctx: RequestContext) -> Response:
        raise NotImplementedError
