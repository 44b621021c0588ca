"""What depends on the request's URL scheme: cookie names and the token keys salted by them.

Over https cookies get the ``__Host-`` or ``__Secure-`` prefix (:mod:`authmw.cookies.names`),
and the session token key is salted with the cookie name (Auth.js), so http and https need
different keys. Both sets are built once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .._types import WSGIEnvironment
from ..cookies.names import CookieSet, build_cookie_set
from ..options import TokenScheme
from .jwt import SessionTokenCodec

__all__ = ["SchemeKeys", "SchemeKeysSelector"]


@dataclass(frozen=True, slots=True)
class SchemeKeys:
    """Cookie names and token codecs for one URL scheme (http or https)."""

    cookies: CookieSet
    session_codec: SessionTokenCodec
    check_codecs: Mapping[str, SessionTokenCodec]

    @classmethod
    def build(
        cls,
        secrets: Sequence[str],
        *,
        prefix: str,
        secure: bool,
        scheme: TokenScheme,
        overrides: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> SchemeKeys:
        cookies = build_cookie_set(prefix, secure=secure, overrides=overrides)
        salt = "" if scheme == "v4" else cookies.session_token.name
        session_codec = SessionTokenCodec(secrets, salt=salt, scheme=scheme)
        check_codecs = {
            spec.name: SessionTokenCodec(secrets, salt=spec.name, scheme="v5", cache_size=0)
            for spec in (
                cookies.state,
                cookies.pkce_code_verifier,
                cookies.nonce,
                cookies.logout_state,
            )
        }
        return cls(cookies=cookies, session_codec=session_codec, check_codecs=check_codecs)


class SchemeKeysSelector:
    """Picks the :class:`SchemeKeys` of a request: fixed by the configured URL, else by
    ``wsgi.url_scheme`` (``trust_host``)."""

    __slots__ = ("_by_scheme", "_fixed")

    def __init__(
        self,
        secrets: Sequence[str],
        *,
        prefix: str,
        scheme: TokenScheme,
        url: str | None,
        overrides: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self._by_scheme = {
            secure: SchemeKeys.build(
                secrets, prefix=prefix, secure=secure, scheme=scheme, overrides=overrides
            )
            for secure in (False, True)
        }
        self._fixed = self._by_scheme[url.startswith("https://")] if url is not None else None

    def __call__(self, environ: WSGIEnvironment) -> SchemeKeys:
        if self._fixed is not None:
            return self._fixed
        return self._by_scheme[environ.get("wsgi.url_scheme") == "https"]
