"""Cross-site request detection for state-changing POSTs (Fetch Metadata, Origin, Referer).

This is a second line behind the CSRF token. How each header is read:

- ``Sec-Fetch-Site`` (sent by current browsers) is the strongest signal: ``cross-site`` is
  refused outright; ``same-origin`` and ``none`` (typed into the address bar) vouch for the
  request even when ``Origin`` is ``null``; ``same-site`` (a sibling subdomain) must still
  show our exact ``Origin``.
- ``Origin: null`` without ``Sec-Fetch-Site`` cannot be attributed (sandboxed frames,
  ``data:`` pages, cross-origin redirects): it is refused.
- Any other ``Origin`` must equal the app's origin; without ``Origin``, a ``Referer`` must
  share it. A request with none of the three (old clients, privacy proxies) relies on the
  token alone.
"""

from __future__ import annotations

from collections.abc import Mapping

from .redirects import origin_of

__all__ = ["describe_request_origin", "is_cross_site_request"]

_VOUCHING_FETCH_SITES = frozenset({"same-origin", "none"})


def is_cross_site_request(environ: Mapping[str, object], allowed_origin: str) -> bool:
    """True when the request demonstrably comes from another site than *allowed_origin*.

    :param environ: the WSGI environ (only ``HTTP_*`` headers are read).
    :param allowed_origin: the app's origin, e.g. ``https://app.example``.
    """
    expected = origin_of(allowed_origin)
    if not expected:
        return True  # an unusable configured origin fails closed
    fetch_site = environ.get("HTTP_SEC_FETCH_SITE")
    site = fetch_site.strip().lower() if isinstance(fetch_site, str) else None
    if site == "cross-site":
        return True
    origin = environ.get("HTTP_ORIGIN")
    if site in _VOUCHING_FETCH_SITES and (origin == "null" or origin == expected):
        return False
    if origin is not None:
        return origin != expected
    referer = environ.get("HTTP_REFERER")
    if referer is None or referer == "":
        return False
    return not (isinstance(referer, str) and origin_of(referer) == expected)


def describe_request_origin(environ: Mapping[str, object]) -> str:
    """Where the browser says a POST came from, for a log line (header values, untrusted)."""
    origin = environ.get("HTTP_ORIGIN")
    referer = environ.get("HTTP_REFERER")
    if origin is None and referer:
        origin = origin_of(str(referer)) or "an unreadable Referer"
    fetch_site = environ.get("HTTP_SEC_FETCH_SITE")
    shown = repr(str(origin)[:100]) if origin is not None else "no Origin or Referer"
    return f"{shown} (Sec-Fetch-Site: {fetch_site})" if fetch_site else shown
