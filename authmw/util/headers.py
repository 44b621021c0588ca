"""The security headers of every page authmw serves (auth endpoints and the 403 page, S-H7).

``Referrer-Policy: same-origin`` rather than ``no-referrer``: under ``no-referrer`` Chromium
sends ``Origin: null`` on the pages' own same-origin form POSTs.
"""

from __future__ import annotations

__all__ = ["NO_REFERRER", "PAGE_SECURITY_HEADERS"]

PAGE_SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("Referrer-Policy", "same-origin"),
    ("X-Content-Type-Options", "nosniff"),
    ("Content-Security-Policy", "frame-ancestors 'none'"),
    ("X-Frame-Options", "DENY"),
)
#: For a response whose URL held a code or token: it must travel nowhere (P-B11).
NO_REFERRER = ("Referrer-Policy", "no-referrer")
