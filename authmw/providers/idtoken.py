"""ID-token validation (OpenID Connect Core §3.1.3.7): signature, then every claim.

The header is checked before any key is chosen: allowed algorithms only, never ``none``, no
``crit`` extensions, no keys or key URLs taken from the token itself (P-D2, P-D3, P-D5).
``HS*`` is verified only with the client secret, and only when configured.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import warnings
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from joserfc import jws
from joserfc.jwk import OctKey

from ..util.numbers import finite_number as _number
from ..util.strict_json import DECODER
from .jwks import PublicKey

MAX_TOKEN = 16 * 1024
_HEADER_KEYS = ("jwk", "jku", "x5u", "x5c")
_HASHES = {"256": hashlib.sha256, "384": hashlib.sha384, "512": hashlib.sha512}
_MAX_CANDIDATES = 4

KeyLookup = Callable[[str | None, str], list[PublicKey]]


class IdTokenError(Exception):
    """The ID token is invalid; the message is for logs and names the failed check."""


@dataclass(frozen=True)
class IdTokenPolicy:
    """What an ID token must satisfy.

    :param leeway: clock skew allowed on ``exp``, ``iat`` and ``nbf`` (seconds).
    :param max_iat_age: oldest accepted ``iat`` (seconds before now).
    """

    issuer: str
    client_id: str
    algorithms: tuple[str, ...] = ("RS256",)
    client_secret: str | None = None
    leeway: int = 60
    max_iat_age: int = 3600


def _b64json(segment: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        data = DECODER.decode(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise IdTokenError("segment is not base64url JSON") from None
    if not isinstance(data, dict):
        raise IdTokenError("segment is not a JSON object")
    return data


def token_hash(value: str, alg: str) -> str:
    """``at_hash``: left half of the hash of *value* for *alg*; unknown alg fails (P-D12)."""
    bits = alg[-3:]
    if alg in ("EdDSA", "Ed25519"):
        digest = hashlib.sha512(value.encode()).digest()
    elif alg[:2] in ("RS", "PS", "ES", "HS") and bits in _HASHES:
        digest = _HASHES[bits](value.encode()).digest()
    else:
        raise IdTokenError(f"no hash known for alg {alg}")
    half = digest[: len(digest) // 2]
    return base64.urlsafe_b64encode(half).rstrip(b"=").decode()


def read_header(token: object, allowed: Collection[str]) -> dict[str, Any]:
    """The JOSE header of a compact JWS, after the structural and ``alg`` checks."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN:
        raise IdTokenError("missing or oversized id_token")
    if token.count(".") != 2:
        raise IdTokenError("id_token is not a compact JWS (encrypted or malformed)")
    header = _b64json(token.split(".", 1)[0])
    alg = header.get("alg")
    if not isinstance(alg, str) or alg.lower() == "none" or alg not in allowed:
        raise IdTokenError(f"alg {alg!r} not allowed")
    if "crit" in header:
        raise IdTokenError("crit header parameters are not supported")
    if any(k in header for k in _HEADER_KEYS):
        raise IdTokenError("keys embedded in the header are refused")
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise IdTokenError("kid is not a string")
    return header


def verify_signature(token: str, policy: IdTokenPolicy, lookup: KeyLookup) -> dict[str, Any]:
    """Check the header and signature; return the header and raw payload claims."""
    header = read_header(token, policy.algorithms)
    alg: str = header["alg"]
    if alg.startswith("HS"):
        if not policy.client_secret:
            raise IdTokenError("HS* id_token without a client secret")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            keys: list[Any] = [OctKey.import_key(policy.client_secret.encode())]
    else:
        keys = lookup(header.get("kid"), alg)
    if not keys:
        raise IdTokenError("no key for kid/alg")
    for key in keys[:_MAX_CANDIDATES]:
        try:
            verified = jws.deserialize_compact(token, key, algorithms=[alg])
        except Exception:  # noqa: S112 - joserfc signals a bad signature by raising
            continue
        claims = DECODER.decode(verified.payload.decode("utf-8"))
        if not isinstance(claims, dict):
            raise IdTokenError("payload is not a JSON object")
        return {"header": header, "claims": claims}
    raise IdTokenError("bad signature")


def validate_id_token(
    token: object,
    policy: IdTokenPolicy,
    lookup: KeyLookup,
    *,
    nonce: str | None = None,
    access_token: str | None = None,
    max_age: int | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    """The claims of a valid ID token.

    :param nonce: the nonce sent in the authorization request (``None``: refresh, no nonce).
    :param access_token: checked against ``at_hash`` when the token has one.
    :param max_age: the ``max_age`` sent, if any (``auth_time`` is then required and checked).
    :raises IdTokenError: naming the failed check.
    """
    try:
        result = verify_signature(token, policy, lookup)  # type: ignore[arg-type]
    except ValueError as exc:
        raise IdTokenError(f"unreadable payload: {type(exc).__name__}") from None
    claims: dict[str, Any] = result["claims"]
    at = time.time() if now is None else now
    if claims.get("iss") != policy.issuer:
        raise IdTokenError("iss mismatch")
    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else aud
    if not isinstance(audiences, list) or not all(isinstance(a, str) for a in audiences):
        raise IdTokenError("aud missing or malformed")
    if audiences != [policy.client_id]:
        raise IdTokenError("aud does not name (only) this client")
    if "azp" in claims and claims["azp"] != policy.client_id:
        raise IdTokenError("azp is not this client")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub or len(sub) > 255 or not sub.isascii():
        raise IdTokenError("sub missing or malformed")
    exp = _number(claims.get("exp"))
    if exp is None or at >= exp + policy.leeway:
        raise IdTokenError("expired or missing exp")
    iat = _number(claims.get("iat"))
    if iat is None or iat > at + policy.leeway or iat < at - policy.max_iat_age:
        raise IdTokenError("iat missing, in the future or too old")
    if "nbf" in claims:
        nbf = _number(claims["nbf"])
        if nbf is None or nbf > at + policy.leeway:
            raise IdTokenError("not valid yet (nbf)")
    if nonce is not None:
        got = claims.get("nonce")
        if not isinstance(got, str) or not hmac.compare_digest(got.encode(), nonce.encode()):
            raise IdTokenError("nonce mismatch")
    if access_token is not None and "at_hash" in claims:
        expected = token_hash(access_token, result["header"]["alg"])
        got_hash = claims["at_hash"]
        if not isinstance(got_hash, str) or not hmac.compare_digest(got_hash, expected):
            raise IdTokenError("at_hash mismatch")
    if max_age is not None:
        auth_time = _number(claims.get("auth_time"))
        if auth_time is None or auth_time < at - max_age - policy.leeway:
            raise IdTokenError("auth_time missing or too old")
    return claims
