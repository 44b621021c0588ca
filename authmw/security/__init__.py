"""Pure security primitives (no WSGI): redirect sanitizing, CSRF tokens, signed values, origins.

- :mod:`.redirects` — the one sanitizer every redirect target goes through.
- :mod:`.csrf` — NextAuth's double-submit CSRF token (``token|sha256(token + secret)``).
- :mod:`.signing` — short-lived signed values (callback-url and OAuth 1 cookies).
- :mod:`.origin` — cross-site request detection from ``Sec-Fetch-Site``, ``Origin``, ``Referer``.
- :mod:`.cookies` — cookie names and attributes.
"""
