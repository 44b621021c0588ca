"""The one reading of ``Accept``: does the client prefer JSON to HTML?

Used by the rules, the auth endpoints and every framework decorator, so
``Accept: application/json, text/html;q=0.1`` gets JSON from all of them.
"""

from __future__ import annotations

from functools import lru_cache

from webob.acceptparse import create_accept_header

__all__ = ["prefers_json"]


@lru_cache(maxsize=256)
def _prefers_json(header: str) -> bool:
    offers = create_accept_header(header).acceptable_offers(["text/html", "application/json"])
    return bool(offers) and offers[0][0] == "application/json"


def prefers_json(accept: object) -> bool:
    """Whether the ``Accept`` header *accept* ranks ``application/json`` above ``text/html``."""
    if not isinstance(accept, str) or "json" not in accept:
        return False
    return _prefers_json(accept)
