"""The handler interface: one object per auth endpoint."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from ..dispatch.answer import Answer
    from ..dispatch.context import RequestContext


class Handler:
    """Serves ``{base_path}/<action>``; subclass it to add or replace an endpoint.

    :cvar methods: HTTP methods accepted (HEAD is served as GET).
    :cvar takes_provider: whether ``/<action>/<provider id>`` is routed here.
    """

    methods: ClassVar[frozenset[str]] = frozenset({"GET"})
    takes_provider: ClassVar[bool] = False

    def handle(self, ctx: RequestContext) -> Answer:
        """A :class:`webob.Response`, or a :class:`~authmw.dispatch.answer.JSONAnswer`."""
        raise NotImplementedError
