"""``POST {base}/backchannel-logout/<provider>``: OpenID Connect Back-Channel Logout 1.0.

The identity provider calls this URL (its ``backchannel_logout_uri``) server to server with a
signed logout token; a valid one ends the sessions it names: the IdP session (``sid``) or, with
``sub`` only, that provider subject's. No CSRF token and no ``Origin`` check: the caller is a
server, not a browser, it carries no cookie of ours (nothing to forge with), and the token's
signature, audience and single-use ``jti`` are what authenticate it.

Answers (§2.8): 200 with ``Cache-Control: no-store``; 400 JSON ``invalid_request`` for any bad
request or token (never echoing it); 404 when the provider does not have ``backchannel_logout``
on; 503 when the store or the provider's discovery document cannot be reached.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

from webob import Response

from ..adapters.base import AdapterUnavailable
from ..dispatch.request_input import FORM, RequestError
from ..errors import AuthError
from ..providers.logout_token import LogoutRequest, LogoutTokenError
from ..providers.oidc import OIDCProvider
from ..session.database import DatabaseStrategy, guarded
from ..session.strategy import JWTStrategy
from .base import Handler

if TYPE_CHECKING:
    from ..dispatch.context import RequestContext

log = logging.getLogger("authmw.backchannel")


class BackchannelLogoutHandler(Handler):
    methods = frozenset({"POST"})
    takes_provider = True

    def handle(self, ctx: RequestContext) -> Response:
        provider = ctx.provider
        if not isinstance(provider, OIDCProvider) or not provider.backchannel_logout:
            log.info("back-channel logout for %s refused: not enabled", ctx.provider_id)
            return _unknown_provider()
        try:
            request = provider.logout_request(_logout_token(ctx))
            try:
                how = end_sessions(ctx, request)
            except AdapterUnavailable:
                # the provider retries a failed delivery: its jti must not look replayed then
                with contextlib.suppress(AdapterUnavailable):
                    provider.backchannel.forget(request)
                raise
        except (RequestError, LogoutTokenError) as exc:
            log.warning("back-channel logout from %s refused: %s", provider.id, exc)
            description = "the logout token is invalid"
            if isinstance(exc, RequestError):
                description = exc.message
            return _answer(ctx, 400, {"error": "invalid_request", "error_description": description})
        except (AdapterUnavailable, AuthError) as exc:
            log.error("back-channel logout from %s failed: %s", provider.id, type(exc).__name__)
            response = _answer(ctx, 503, {"error": "temporarily_unavailable"})
            response.headers["Retry-After"] = "5"
            return response
        log.info("back-channel logout from %s: sessions ended by %s", provider.id, how)
        ctx.auth.events.emit(
            "backchannel_logout", provider=provider.id, sub=request.sub, sid=request.sid
        )
        return _answer(ctx, 200, None)


def _logout_token(ctx: RequestContext) -> str:
    """The ``logout_token`` form parameter. :raises RequestError: a 400 of any kind."""
    ctype = (ctx.environ.get("CONTENT_TYPE") or "").split(";", 1)[0].strip().lower()
    if ctype != FORM:
        raise RequestError(400, "the body must be application/x-www-form-urlencoded")
    try:
        token = ctx.body.get("logout_token")
    except RequestError as exc:  # too large, malformed, duplicate keys...
        raise RequestError(400, exc.message) from None
    if not isinstance(token, str) or not token:
        raise RequestError(400, "logout_token is missing")
    return token


def end_sessions(ctx: RequestContext, request: LogoutRequest) -> str:
    """End the sessions *request* names; how they were found (for the log line).

    ``sid``: the sessions of that IdP session. ``sub`` only: JWT sessions signed in through
    that provider subject until now; database sessions: every session of the user linked to
    that provider account (rows do not record the provider subject).

    :raises AdapterUnavailable: the store cannot be reached.
    """
    strategy = ctx.auth.strategy
    if request.sid is not None:
        strategy.revoke_idp_session(request.provider, request.sid)
        return "sid"
    sub = request.sub
    assert sub is not None  # the token names a sub or a sid
    if isinstance(strategy, JWTStrategy) and strategy.revocations is not None:
        strategy.revocations.revoke_idp_subject(request.provider, sub)
    elif isinstance(strategy, DatabaseStrategy):
        adapter = strategy.adapter
        user = guarded(lambda: adapter.get_user_by_account(request.provider, sub))
        if user is not None:
            strategy.revoke_user(user.id)
    return "sub"


def _unknown_provider() -> Response:
    """The dispatcher's answer to an unknown provider: which providers exist stays unsaid."""
    response = Response(status=404, content_type="text/plain", charset="utf-8")
    response.text = "Not Found: unknown provider"
    response.headers["Cache-Control"] = "no-store"
    return response


def _answer(ctx: RequestContext, status: int, body: dict[str, str] | None) -> Response:
    response = ctx.json(body, status=status) if body is not None else Response(status=status)
    response.headers["Cache-Control"] = "no-store"
    return response
