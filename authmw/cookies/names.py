"""Cookie names and attributes: NextAuth's names under a configurable prefix.

Over https every cookie gets ``Secure`` and a prefix the browser enforces: ``__Host-`` (no
``Domain``, ``Path=/``: no sibling subdomain can set or shadow it) for the session, CSRF and
callback-url cookies (and authmw's own email-link cookie) while no ``domain``/``path`` override
says otherwise, ``__Secure-`` for the rest (S-C4). With NextAuth's own prefixes (``next-auth``,
``authjs``) the names are exactly NextAuth's, so the two can share cookies: only the CSRF and
email-link cookies are ``__Host-`` there. All are
HttpOnly and SameSite=Lax unless overridden.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, Literal

from ..errors import ConfigurationError
from .codec import delete_cookie, format_set_cookie

SameSite = Literal["Lax", "Strict", "None"]

#: Python name -> NextAuth cookie suffix.
COOKIE_SUFFIXES = {
    "session_token": "session-token",
    "csrf_token": "csrf-token",
    "callback_url": "callback-url",
    "state": "state",
    "pkce_code_verifier": "pkce.code_verifier",
    "nonce": "nonce",
    "logout_state": "logout-state",
    "email_link": "email-link",
}


@dataclass(frozen=True, slots=True)
class CookieSpec:
    """One cookie's name and attributes."""

    name: str
    secure: bool
    same_site: SameSite = "Lax"
    path: str = "/"
    domain: str | None = None
    http_only: bool = True

    def set(self, value: str, *, max_age: int | None, name: str | None = None) -> str:
        """The ``Set-Cookie`` header value that stores *value* (under chunk *name*)."""
        return format_set_cookie(
            name or self.name,
            value,
            max_age=max_age,
            path=self.path,
            domain=self.domain,
            secure=self.secure,
            http_only=self.http_only,
            same_site=self.same_site,
        )

    def delete(self, name: str | None = None) -> str:
        """The ``Set-Cookie`` header value that expires this cookie (or its chunk *name*)."""
        return delete_cookie(
            name or self.name,
            secure=self.secure,
            path=self.path,
            domain=self.domain,
            same_site=self.same_site,
        )


@dataclass(frozen=True, slots=True)
class CookieSet:
    """All cookies authmw uses, for one security level (http or https)."""

    secure: bool
    session_token: CookieSpec
    csrf_token: CookieSpec
    callback_url: CookieSpec
    state: CookieSpec
    pkce_code_verifier: CookieSpec
    nonce: CookieSpec
    #: The state of a sign-out at the provider (RP-initiated logout), until it sends us back.
    logout_state: CookieSpec
    email_link: CookieSpec


#: Prefixes under which the cookie names are exactly NextAuth's (v4 and Auth.js v5).
NEXTAUTH_PREFIXES = frozenset({"next-auth", "authjs"})
_HOST_ONLY = frozenset({"session_token", "csrf_token", "callback_url", "email_link"})
# NextAuth has no email-link cookie, so nothing to share: it stays __Host- under its prefixes.
_NEXTAUTH_HOST_ONLY = frozenset({"csrf_token", "email_link"})


def build_cookie_set(
    prefix: str, *, secure: bool, overrides: Mapping[str, Mapping[str, Any]] | None = None
) -> CookieSet:
    """Build the cookie set for *prefix* (``authmw``; ``next-auth`` to share with NextAuth v4)."""
    overrides = dict(overrides or {})
    unknown = set(overrides) - set(COOKIE_SUFFIXES)
    if unknown:
        raise ConfigurationError(f"unknown cookies: {', '.join(sorted(unknown))}")
    specs: dict[str, CookieSpec] = {}
    allowed = {f.name for f in fields(CookieSpec)} - {"secure"}
    for key, suffix in COOKIE_SUFFIXES.items():
        option = dict(overrides.get(key, {}))
        bad = set(option) - allowed
        if bad:
            raise ConfigurationError(f"cookies.{key}: unknown options {', '.join(sorted(bad))}")
        name = f"{prefix}.{suffix}"
        if secure:
            host_only = (
                key in (_NEXTAUTH_HOST_ONLY if prefix in NEXTAUTH_PREFIXES else _HOST_ONLY)
                and not option.get("domain")
                and option.get("path", "/") == "/"
            )
            name = ("__Host-" if host_only else "__Secure-") + name
        spec = replace(CookieSpec(name=name, secure=secure), **option)
        if spec.same_site not in ("Lax", "Strict", "None"):
            raise ConfigurationError(f"cookies.{key}.same_site must be Lax, Strict or None")
        if spec.same_site == "None" and not secure:
            raise ConfigurationError(f"cookies.{key}: SameSite=None needs an https url")
        specs[key] = spec
    return CookieSet(secure=secure, **specs)
