"""Signing out of the provider too: OpenID Connect RP-Initiated Logout 1.0.

At sign-out the browser goes to the provider's ``end_session_endpoint`` with the session's ID
token as ``id_token_hint``, our ``post_logout_redirect_uri`` (``{base}/signout-callback/<id>``,
registered at the provider) and a random ``state``. The state, the provider id and the
sanitized ``callbackUrl`` wait in an encrypted, short-lived cookie of this browser; when the
provider sends the browser back, a matching state leads to that ``callbackUrl`` and anything
else to the site root (P-G1, P-G3): what comes back from the provider never picks the target.
"""

from __future__ import annotations

import hmac
import logging
from typing import TYPE_CHECKING

from ..util.urls import append_query
from .checks import random_token

if TYPE_CHECKING:
    from ..flow import FlowRequest

log = logging.getLogger("authmw.providers.end_session")

#: Seconds the browser has to come back from the provider's sign-out page.
MAX_AGE = 10 * 60
#: The action of ``post_logout_redirect_uri``: ``{base}/signout-callback/<provider id>``.
ACTION = "signout-callback"


class EndSession:
    """The way out through one provider's sign-out page, and the way back.

    :param provider_id: bound into the state cookie.
    :param client_id: sent as ``client_id`` (the provider may need it to check the
        ``post_logout_redirect_uri`` when the ID token hint is missing or expired).
    """

    def __init__(self, provider_id: str, client_id: str) -> None:
        self.provider_id = provider_id
        self.client_id = client_id

    def return_url(self, ctx: FlowRequest) -> str:
        """Our ``post_logout_redirect_uri``: built from configuration, never from headers."""
        return ctx.auth_url(ACTION, self.provider_id)

    def start(self, ctx: FlowRequest, endpoint: str, id_token: str, callback_url: str) -> str:
        """Queue the state cookie; the provider's sign-out URL to send the browser to."""
        state = random_token()
        spec = ctx.realm.cookies.logout_state
        claims = {"p": self.provider_id, "s": state, "u": callback_url}
        value = ctx.realm.check_codecs[spec.name].encode(claims, max_age=MAX_AGE)
        ctx.set_cookies.append(spec.set(value, max_age=MAX_AGE))
        query = {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": self.return_url(ctx),
            "state": state,
            "client_id": self.client_id,
        }
        return append_query(endpoint, query)

    def finish(self, ctx: FlowRequest) -> str:
        """Where the browser goes once the provider sent it back: the ``callbackUrl`` kept at
        sign-out when ``state`` matches this browser's cookie, else the site root. The cookie
        is cleared either way."""
        spec = ctx.realm.cookies.logout_state
        ctx.set_cookies.append(spec.delete())
        raw = ctx.cookies.get(spec.name)
        claims = ctx.realm.check_codecs[spec.name].decode(raw) if raw else None
        given = ctx.query.get("state")
        expected = (claims or {}).get("s")
        if (
            claims is None
            or claims.get("p") != self.provider_id
            or not isinstance(expected, str)
            or not isinstance(given, str)
            or not hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace"))
        ):
            log.warning("sign-out return from %s without a matching state", self.provider_id)
            return ctx.base_url
        return ctx.sanitize(claims.get("u"))  # re-validated on read (P-G3)
