"""Which browser asked for a magic link: a signed cookie bound to that link's token (S-S9).

When a link is sent, the requesting browser gets the email-link cookie: a signed, timestamped
SHA-256 of the link's token (never the token itself). A ``GET`` of the link from that browser
signs in at once; from any other browser (another device, a mail scanner, a link someone was
sent to sign them in as someone else) the e-mail provider asks for a confirmation first.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..security.signing import SignedValues

if TYPE_CHECKING:
    from ..flow import FlowRequest

__all__ = ["RequestingBrowser"]


def _fingerprint(token: str) -> str:
    return hashlib.sha256(("authmw.email-link:" + token).encode("utf-8")).hexdigest()


class RequestingBrowser:
    """Marks the browser that requested a link and recognises it when the link comes back.

    :param secrets: the app's secrets, newest first (the newest signs, every one verifies).
    :param max_age: seconds the mark lasts: the link's own lifetime.
    """

    def __init__(self, secrets: Sequence[str], max_age: int) -> None:
        self._signer = SignedValues(secrets, salt="authmw.email-link")
        self._max_age = max_age

    def __repr__(self) -> str:
        return "RequestingBrowser(<secrets>)"

    def mark(self, ctx: FlowRequest, token: str) -> None:
        """Queue the cookie that binds this browser to *token* (the latest link wins)."""
        spec = ctx.realm.cookies.email_link
        value = self._signer.sign(_fingerprint(token))
        ctx.set_cookies.append(spec.set(value, max_age=self._max_age))

    def asked_for(self, ctx: FlowRequest, token: str) -> bool:
        """Whether this request comes from the browser that asked for *token*'s link."""
        cookie = ctx.cookies.get(ctx.realm.cookies.email_link.name)
        bound = self._signer.unsign(cookie, max_age=self._max_age)
        return bound is not None and hmac.compare_digest(bound, _fingerprint(token))

    def forget(self, ctx: FlowRequest) -> list[str]:
        """``Set-Cookie`` values removing the mark (once its link is used), if there is one."""
        spec = ctx.realm.cookies.email_link
        return [spec.delete()] if spec.name in ctx.cookies else []
