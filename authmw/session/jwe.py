"""JWE primitives for the session token codec: key derivation and content decryption.

``dir`` keys derived with HKDF-SHA256 (Auth.js v5: 64 bytes for ``A256CBC-HS512`` with a
SHA-512 thumbprint ``kid``; next-auth 4: 32 bytes for ``A256GCM``), strict base64url, and the
two decryptions done with ``cryptography`` directly (they run on every request).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import threading
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, CipherContext, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from joserfc.jwk import OctKey

from ..options import TokenScheme

ENC: dict[str, str] = {"v5": "A256CBC-HS512", "v4": "A256GCM"}
_B64_TO_STD = bytes.maketrans(b"-_", b"+/")
# The last character of unpadded base64url must leave the unused low bits zero,
# or several strings would decode to the same bytes.
_CANONICAL_LAST = {2: frozenset("AQgw"), 3: frozenset("AEIMQUYcgkosw048")}


@dataclass(frozen=True, slots=True)
class _Key:
    kid: str | None
    header: str  # the compact header segment this codec's encoder emits
    jwk: OctKey = field(repr=False)
    mac: crypto_hmac.HMAC | None = field(default=None, repr=False)  # v5, copied per token
    ecb: CipherContext | None = field(default=None, repr=False)  # v5, see _cbc_decrypt
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    gcm: AESGCM | None = field(default=None, repr=False)  # v4


def _b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64d(segment: str) -> bytes:
    """Strict unpadded base64url (the caller has already refused ``+``, ``/`` and ``=``)."""
    rest = len(segment) % 4
    if rest == 1 or (rest and segment[-1] not in _CANONICAL_LAST[rest]):
        raise ValueError("non-canonical base64url")
    data = segment.encode("ascii").translate(_B64_TO_STD) + b"=" * (-rest % 4)
    return binascii.a2b_base64(data, strict_mode=True)


def _derive_key(secret: str, salt: str, scheme: TokenScheme) -> _Key:
    if scheme == "v5":
        info, length = f"Auth.js Generated Encryption Key ({salt})", 64
    else:
        info = "NextAuth.js Generated Encryption Key" + (f" ({salt})" if salt else "")
        length = 32
    hkdf = HKDF(algorithm=hashes.SHA256(), length=length, salt=salt.encode(), info=info.encode())
    raw = hkdf.derive(secret.encode())
    jwk = OctKey.import_key(raw)
    if scheme == "v4":
        header = _b64e(b'{"alg":"dir","enc":"A256GCM"}')
        return _Key(None, header, jwk, gcm=AESGCM(raw))
    # RFC 7638 thumbprint; the hash follows the key size, as @auth/core does.
    members = json.dumps({"k": _b64e(raw), "kty": "oct"}, separators=(",", ":"))
    kid = _b64e(hashlib.sha512(members.encode()).digest())
    header = _b64e(json.dumps(_protected("v5", kid), separators=(",", ":")).encode())
    mac = crypto_hmac.HMAC(raw[:32], hashes.SHA512())
    ecb = Cipher(algorithms.AES(raw[32:]), modes.ECB()).decryptor()  # noqa: S305
    return _Key(kid, header, jwk, mac=mac, ecb=ecb)


def _protected(scheme: TokenScheme, kid: str | None) -> dict[str, str]:
    header = {"alg": "dir", "enc": ENC[scheme]}
    if kid is not None:
        header["kid"] = kid
    return header


def _open_cbc(key: _Key, aad: bytes, iv: bytes, ct: bytes, tag: bytes) -> bytes | None:
    """RFC 7518 §5.2.2.2: verify the truncated HMAC-SHA-512 tag, then AES-256-CBC decrypt."""
    if key.mac is None or key.ecb is None:
        return None
    if len(iv) != 16 or len(tag) != 32 or not ct or len(ct) % 16:
        return None
    mac = key.mac.copy()
    mac.update(aad + iv + ct + (len(aad) * 8).to_bytes(8, "big"))
    if not hmac.compare_digest(mac.finalize()[:32], tag):
        return None
    padded = _cbc_decrypt(key.ecb, key.lock, iv, ct)
    pad = padded[-1]
    if not 1 <= pad <= 16 or padded[-pad:] != bytes((pad,)) * pad:
        return None
    return padded[:-pad]


def _cbc_decrypt(ecb: CipherContext, lock: threading.Lock, iv: bytes, ct: bytes) -> bytes:
    """AES-CBC decryption as ECB decryption XOR the previous ciphertext block.

    One long-lived ECB context per key (ECB keeps no state between whole blocks) costs a third
    of building a CBC cipher per token. Only reached after the tag has been verified.
    """
    with lock:  # the context is not safe to update from two threads at once
        blocks = ecb.update(ct)
    chained = int.from_bytes(blocks, "big") ^ int.from_bytes(iv + ct[:-16], "big")
    return chained.to_bytes(len(ct), "big")


def _open_gcm(key: _Key, aad: bytes, iv: bytes, ct: bytes, tag: bytes) -> bytes | None:
    if key.gcm is None or len(iv) != 12 or len(tag) != 16:
        return None
    try:
        return key.gcm.decrypt(iv, ct + tag, aad)
    except InvalidTag:
        return None
