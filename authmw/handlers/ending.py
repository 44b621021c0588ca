"""Ending a session, the one way for the sign-out endpoint and for the app's own code.

The session ends here (cookies cleared, the row deleted or the token revoked, the CSRF token
rotated, the ``sign_out`` event fired); a session signed in with a provider that has
``sign_out_of_provider`` on then continues at that provider's sign-out page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..cookies.chunks import join_chunks
from ..session.database import guarded

if TYPE_CHECKING:
    from ..dispatch.context import RequestContext


def end_session(
    ctx: RequestContext, callback_url: str, *, sign_out_of_provider: bool = True
) -> str:
    """End the request's session; where the browser goes next.

    :param callback_url: the sanitized URL to end up at.
    :param sign_out_of_provider: ``False`` ends the local session only (the provider is not
        visited, no sign-out state cookie is set).
    :returns: the provider's sign-out URL (it sends the browser back to *callback_url* through
        ``{base}/signout-callback/<id>``; its state cookie is queued on *ctx*), else
        *callback_url*.
    """
    raw = join_chunks(ctx.cookies, ctx.realm.cookies.session_token.name)
    # read before revoking: database sessions keep it next to the row revoke deletes
    strategy = ctx.auth.strategy
    signed_in = strategy.provider_session(raw, ctx.token) if sign_out_of_provider else None
    # the store being down is a 503 (StoreUnavailable), not a sign-out that revoked nothing
    ctx.set_session_cookies(guarded(lambda: strategy.revoke(raw, ctx.realm, ctx.cookies)))
    ctx.rotate_csrf_token()
    ctx.auth.events.emit("sign_out", token=ctx.token, session=ctx.session)
    if signed_in is None:
        return callback_url
    provider = ctx.auth.providers.get(signed_in.provider)
    if provider is None:
        return callback_url
    return provider.sign_out_url(ctx, signed_in.id_token, callback_url) or callback_url
