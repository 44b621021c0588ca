"""Cross-site request detection for state-changing POSTs (Fetch Metadata, Origin, Referer).

This is a second line behind the CSRF token: a request without ``Sec-Fetch-Site``, ``Origin``
and ``Referer`` (old clients, privacy proxies) is not called cross-site and relies on the token.
"""

from __future__ import annotations

from collections.abc import Mapping

from .redirects import origin_of

__all__ = ["is_cross_site_request"]


def is_cross_site_request(environ: Mapping[str, object], allowed_origin: str) -> bool:
    """True when the request demonstrably comes from another site than *allowed_origin*.

    :param environ: the WSGI environ (only ``HTTP_*`` headers are read).
    :param allowed_origin: the app's origin, e.g. ``https://app.example``.
    Cross-site means ``Sec-Fetch-Site: cross-site``, an ``Origin`` header that is not exactly
    the allowed origin (``null`` included), or, without ``Origin``, a ``Referer`` whose origin
    differs.
    """
    fetch_site = environ.get("HTTP_SEC_FETCH_SITE")
    if isinstance(fetch_site, str) and fetch_site.strip().lower() == "cross-site":
        return True
    expected = origin_of(allowed_origin)
    origin = environ.get("HTTP_ORIGIN")
    if origin is not None:
        return not (expected and isinstance(origin, str) and origin == expected)
    referer = environ.get("HTTP_REFERER")
    if referer is None or referer == "":
        return False
    return not (expected and isinstance(referer, str) and origin_of(referer) == expected)
