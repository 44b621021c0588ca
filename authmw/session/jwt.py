"""Encrypted session tokens (JWE), wire-compatible with NextAuth v4 and Auth.js v5.

* ``v5`` (Auth.js, default): compact JWE, ``alg: dir``, ``enc: A256CBC-HS512``, 64-byte key
  ``HKDF-SHA256(secret, salt, "Auth.js Generated Encryption Key (<salt>)")``, header ``kid`` =
  SHA-512 JWK thumbprint of the key.
* ``v4`` (next-auth 4): ``alg: dir``, ``enc: A256GCM``, 32-byte key
  ``HKDF-SHA256(secret, salt, "NextAuth.js Generated Encryption Key[ (<salt>)]")``, no ``kid``.

The salt is the cookie name (``""`` for the v4 session cookie), so a token minted for one
purpose (state, PKCE...) never decrypts as another (CVE-2023-48309). Keys are derived once per
codec. Both directions use ``cryptography`` directly (decryption after strict header checks),
because they run on every request (see ``benchmarks/token_decode.py``).
"""

from __future__ import annotations

import json
import math
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from ..errors import ConfigurationError
from ..options import TokenScheme, check_secrets
from ..util.numbers import finite_number as _number
from ..util.strict_json import DECODER as _STRICT_JSON
from ..util.strict_json import parse_object as _json_object
from .jwe import ENC as _ENC
from .jwe import _b64d, _derive_key, _Key, _open_cbc, _open_gcm, seal

DEFAULT_MAX_AGE = 30 * 24 * 60 * 60
#: Longest token accepted; checked before any decoding (A-AL3).
MAX_TOKEN_LENGTH = 16 * 1024
#: Clock tolerance for ``exp``/``iat``/``nbf``, as NextAuth's ``clockTolerance``.
CLOCK_LEEWAY = 15

_HEADER_PARAMS = frozenset({"alg", "enc", "kid"})
_MAX_HEADER_LENGTH = 1024
_SCALARS = frozenset({str, int, float, bool, type(None)})  # claims a shallow copy protects


class _Entry(NamedTuple):
    claims: dict[str, Any]
    text: str | None  # JSON to re-parse for a private copy; None when claims are flat
    valid_from: float
    valid_until: float


class SessionTokenCodec:
    """Encrypts claims into a token and back, for one purpose (*salt*).

    :param secrets: the secret list; the first encrypts, every one decrypts (rotation).
    :param salt: the cookie name the token lives in (``""`` for the v4 session cookie).
    :param scheme: ``"v5"`` (Auth.js, default) or ``"v4"`` (next-auth 4).
    :param cache_size: decoded tokens kept in an LRU cache; ``0`` disables it.
    :raises ConfigurationError: no secrets, an empty secret, or a bad option.
    """

    def __init__(
        self,
        secrets: Sequence[str],
        *,
        salt: str,
        scheme: TokenScheme = "v5",
        cache_size: int = 1024,
    ) -> None:
        check_secrets(secrets, owner="SessionTokenCodec")
        if scheme not in _ENC:
            raise ConfigurationError(f"unknown token scheme {scheme!r}")
        if not isinstance(salt, str) or cache_size < 0:
            raise ConfigurationError("salt must be a string and cache_size >= 0")
        self.salt = salt
        self.scheme: TokenScheme = scheme
        self._enc = _ENC[scheme]
        self._keys = tuple(_derive_key(s, salt, scheme) for s in secrets)
        self._by_kid = {k.kid: k for k in reversed(self._keys) if k.kid is not None}
        self._by_header: dict[str, tuple[_Key, ...]] = {}
        for key in self._keys:
            self._by_header.setdefault(key.header, ())
            self._by_header[key.header] += (key,)
        self._open = _open_cbc if scheme == "v5" else _open_gcm
        self._size = cache_size
        self._cache: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<SessionTokenCodec {self.scheme} salt={self.salt!r} keys={len(self._keys)}>"

    def encode(self, claims: Mapping[str, Any], *, max_age: int, now: float | None = None) -> str:
        """Encrypt *claims* with the first secret; adds ``iat``, ``exp`` and ``jti`` if absent.

        :raises ValueError: claims that are not JSON, or a token over ``MAX_TOKEN_LENGTH``.
        """
        issued = int(time.time() if now is None else now)
        payload = dict(claims)
        payload.setdefault("iat", issued)
        payload.setdefault("exp", issued + max_age)
        payload.setdefault("jti", str(uuid.uuid4()))
        text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        token = seal(self._keys[0], text.encode())
        if len(token) > MAX_TOKEN_LENGTH:
            raise ValueError(f"token of {len(token)} characters exceeds {MAX_TOKEN_LENGTH}")
        return token

    def decode(self, token: str, *, now: float | None = None) -> dict[str, Any] | None:
        """The claims of a valid, unexpired *token*, or ``None``; never raises."""
        if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
            return None
        at = time.time() if now is None else now
        entry = self._cache_get(token) if self._size else None
        if entry is None:
            try:
                entry = self._decrypt(token)
            except Exception:  # hostile input must mean "anonymous", whatever it trips over
                return None
            if entry is None:
                return None
            if self._size and entry.valid_from <= at < entry.valid_until:
                self._cache_put(token, entry)
        if not entry.valid_from <= at < entry.valid_until:
            return None
        # A private copy, so callers cannot change what the cache holds.
        return dict(entry.claims) if entry.text is None else json.loads(entry.text)

    def _cache_get(self, token: str) -> _Entry | None:
        with self._lock:
            entry = self._cache.get(token)
            if entry is not None:
                self._cache.move_to_end(token)
            return entry

    def _cache_put(self, token: str, entry: _Entry) -> None:
        with self._lock:
            self._cache[token] = entry
            if len(self._cache) > self._size:
                self._cache.popitem(last=False)

    def _decrypt(self, token: str) -> _Entry | None:
        if not token.isascii() or "+" in token or "/" in token or "=" in token:
            return None
        parts = token.split(".")
        if len(parts) != 5 or parts[1]:  # "dir" has an empty encrypted-key segment
            return None
        header, _, iv, ct, tag = parts
        keys = self._by_header.get(header) or self._keys_for(header)
        if not keys:
            return None
        aad, iv_b, ct_b, tag_b = header.encode("ascii"), _b64d(iv), _b64d(ct), _b64d(tag)
        for key in keys:
            plaintext = self._open(key, aad, iv_b, ct_b, tag_b)
            if plaintext is not None:
                break
        else:
            return None
        text = plaintext.decode("utf-8")
        claims = _STRICT_JSON.decode(text)
        if not isinstance(claims, dict):
            return None
        exp = _number(claims.get("exp"))
        iat = _number(claims["iat"]) if "iat" in claims else -math.inf
        nbf = _number(claims["nbf"]) if "nbf" in claims else -math.inf
        if exp is None or iat is None or nbf is None:
            return None
        valid_from = max(iat, nbf) - CLOCK_LEEWAY
        flat = _SCALARS.issuperset(map(type, claims.values()))
        return _Entry(claims, None if flat else text, valid_from, exp + CLOCK_LEEWAY)

    def _keys_for(self, header: str) -> tuple[_Key, ...]:
        """Keys to try for a header this codec does not emit itself; ``()`` rejects it."""
        if len(header) > _MAX_HEADER_LENGTH:
            return ()
        params = _json_object(_b64d(header))
        if params is None or not params.keys() <= _HEADER_PARAMS:
            return ()  # also refuses zip, crit, jwk, jku, x5u, x5c, ...
        if params.get("alg") != "dir" or params.get("enc") != self._enc:
            return ()
        if "kid" not in params or self.scheme == "v4":
            return self._keys if isinstance(params.get("kid", ""), str) else ()
        key = self._by_kid.get(params["kid"]) if isinstance(params["kid"], str) else None
        return (key,) if key is not None else ()


def _secrets(secret: str | Sequence[str]) -> Sequence[str]:
    return [secret] if isinstance(secret, str) else secret


def encode(
    *,
    token: Mapping[str, Any],
    secret: str | Sequence[str],
    salt: str,
    max_age: int = DEFAULT_MAX_AGE,
    scheme: TokenScheme = "v5",
) -> str:
    """Encrypt *token* like ``next-auth/jwt``'s ``encode`` (v4) or ``@auth/core/jwt`` (v5)."""
    codec = SessionTokenCodec(_secrets(secret), salt=salt, scheme=scheme, cache_size=0)
    return codec.encode(token, max_age=max_age)


def decode(
    *, token: str, secret: str | Sequence[str], salt: str, scheme: TokenScheme = "v5"
) -> dict[str, Any] | None:
    """Decrypt *token* like NextAuth's ``decode``; ``None`` instead of an exception."""
    try:
        codec = SessionTokenCodec(_secrets(secret), salt=salt, scheme=scheme, cache_size=0)
    except ConfigurationError:
        return None
    return codec.decode(token)
