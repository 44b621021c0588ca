"""``{base}/session``: the session JSON (GET) and the client's ``update()`` (POST)."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..errors import AuthError
from ..session.chunks import join_chunks
from ..session.database import StoreUnavailable
from ..session.strategy import JWTStrategy, clear_session_headers
from .base import Handler

if TYPE_CHECKING:
    from webob import Response

    from ..dispatch.context import RequestContext

log = logging.getLogger("authmw.session")


class SessionHandler(Handler):
    methods = frozenset({"GET", "POST"})

    def handle(self, ctx: RequestContext) -> Response:
        if ctx.request.method == "POST":
            return self.update(ctx)
        raw = join_chunks(ctx.cookies, ctx.realm.cookies.session_token.name)
        loaded = None
        if raw:
            try:
                loaded = ctx.auth.strategy.load(raw, ctx.realm, ctx.cookies, roll=True)
            except StoreUnavailable as exc:
                # JSON for every client: next-auth's client sends no JSON Accept header
                log.warning("session store unavailable on /session: %s", exc.detail)
                response = ctx.json({"error": exc.code}, status=503)
                response.headers["Retry-After"] = "5"
                return response
        if loaded is None:
            if raw:
                ctx.set_cookies.extend(clear_session_headers(ctx.realm, ctx.cookies))
            return ctx.json({})
        ctx.set_cookies.extend(loaded.set_cookies)
        ctx.auth.events.emit("session", session=loaded.session, token=loaded.token)
        return ctx.json(dict(loaded.session))

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
        strategy = ctx.auth.strategy
        try:
            headers = strategy.issue(dict(new_token), {}, ctx.realm, ctx.cookies)
        except AuthError as exc:  # e.g. the updated token no longer fits in cookies
            log.error("session update refused: %s", exc.code)
            return ctx.json({}, status=400)
        ctx.set_cookies.extend(headers)
        if not isinstance(strategy, JWTStrategy):
            return ctx.json(dict(ctx.session))
        session = strategy.shape(dict(new_token), time.time() + strategy.max_age)
        return ctx.json(dict(session) if session is not None else {})
