"""``{base}/session``: the session JSON (GET) and the client's ``update()`` (POST).

GET answers with the session the session middleware already loaded (no second read). Its
expiry rolls forward as on any request: once ``update_age`` has passed (NextAuth 4 re-issues
a JWT on every ``/session`` call; nothing in its client depends on that, and it cost an
encryption per poll). Every page of a next-auth client polls it, so its answers skip webob
(:class:`~authmw.dispatch.answer.JSONAnswer`, same bytes).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..dispatch.answer import JSONAnswer
from ..environ_keys import LOADED_KEY, UNAVAILABLE_KEY
from ..errors import AuthError
from ..session.database import StoreUnavailable
from .base import Handler

if TYPE_CHECKING:
    from webob import Response

    from ..dispatch.answer import Answer
    from ..dispatch.context import RequestContext
    from ..session.strategy import LoadedSession

log = logging.getLogger("authmw.session")


class SessionHandler(Handler):
    methods = frozenset({"GET", "POST"})

    def handle(self, ctx: RequestContext) -> Answer:
        if ctx.request.method == "POST":
            return self.update(ctx)
        if ctx.environ.get(UNAVAILABLE_KEY):
            # JSON for every client: next-auth's client sends no JSON Accept header
            log.warning("session store unavailable on /session")
            response = ctx.json({"error": StoreUnavailable().code}, status=503)
            response.headers["Retry-After"] = "5"
            return response
        loaded = self.loaded(ctx)
        if loaded is None:
            return JSONAnswer({})
        ctx.auth.events.emit("session", session=loaded.session, token=loaded.token)
        return JSONAnswer(loaded.session)

    @staticmethod
    def loaded(ctx: RequestContext) -> LoadedSession | None:
        """The session loaded by the session middleware."""
        if LOADED_KEY not in ctx.environ:
            raise AuthError("Configuration", detail="the session middleware is not in front")
        return ctx.loaded_session

    def update(self, ctx: RequestContext) -> Response:
        """Run the ``jwt`` callback with ``trigger="update"`` and the posted ``data``."""
        if not ctx.csrf_valid():
            return ctx.json({}, status=400)
        token = ctx.token
        if ctx.session is None:
            return ctx.json({})
        if token is None:  # database sessions: nothing to rewrite in the cookie
            return ctx.json(dict(ctx.session))
        data = ctx.body.get("data")
        new_token = ctx.auth.callbacks.jwt(
            token=dict(token),
            user=None,
            account=None,
            profile=None,
            trigger="update",
            is_new_user=False,
            session=data,
        )
        if not isinstance(new_token, Mapping):
            log.error("callbacks.jwt must return a mapping on update")
            return ctx.json({}, status=400)
        try:
            updated = ctx.auth.strategy.update(dict(new_token), ctx.realm, ctx.cookies)
        except AuthError as exc:  # e.g. the updated token no longer fits in cookies
            log.error("session update refused: %s", exc.code)
            return ctx.json({}, status=400)
        if updated is None:
            return ctx.json(dict(ctx.session))
        headers, session = updated
        ctx.set_session_cookies(headers)
        return ctx.json(dict(session) if session is not None else {})
