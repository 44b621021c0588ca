"""JWE primitives for the session token codec: key derivation, encryption and decryption.

``dir`` keys derived with HKDF-SHA256 (Auth.js v5: 64 bytes for ``A256CBC-HS512`` with a
SHA-512 thumbprint ``kid``; next-auth 4: 32 bytes for ``A256GCM``), strict base64url, and the
encryption and decryption done with ``cryptography`` directly (they run on every request).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

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
    mac: crypto_hmac.HMAC | None = field(default=None, repr=False)  # v5, copied per token
    aes: algorithms.AES | None = field(default=None, repr=False)  # v5, one per key
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
    if scheme == "v4":
        header = _b64e(b'{"alg":"dir","enc":"A256GCM"}')
        return _Key(None, header, gcm=AESGCM(raw))
    # RFC 7638 thumbprint; the hash follows the key size, as @auth/core does.
    members = json.dumps({"k": _b64e(raw), "kty": "oct"}, separators=(",", ":"))
    kid = _b64e(hashlib.sha512(members.encode()).digest())
    header = _b64e(json.dumps(_protected("v5", kid), separators=(",", ":")).encode())
    mac = crypto_hmac.HMAC(raw[:32], hashes.SHA512())
    return _Key(kid, header, mac=mac, aes=algorithms.AES(raw[32:]))


def _protected(scheme: TokenScheme, kid: str | None) -> dict[str, str]:
    header = {"alg": "dir", "enc": ENC[scheme]}
    if kid is not None:
        header["kid"] = kid
    return header


def _open_cbc(key: _Key, aad: bytes, iv: bytes, ct: bytes, tag: bytes) -> bytes | None:
    """RFC 7518 §5.2.2.2: verify the truncated HMAC-SHA-512 tag, then AES-256-CBC decrypt."""
    if key.mac is None or key.aes is None:
        return None
    if len(iv) != 16 or len(tag) != 32 or not ct or len(ct) % 16:
        return None
    mac = key.mac.copy()
    mac.update(aad + iv + ct + (len(aad) * 8).to_bytes(8, "big"))
    if not hmac.compare_digest(mac.finalize()[:32], tag):
        return None
    decryptor = Cipher(key.aes, modes.CBC(iv)).decryptor()
    padded = decryptor.update(ct) + decryptor.finalize()
    pad = padded[-1]
    if not 1 <= pad <= 16 or padded[-pad:] != bytes((pad,)) * pad:
        return None
    return padded[:-pad]


def _seal_cbc(key: _Key, aad: bytes, plaintext: bytes) -> tuple[bytes, bytes, bytes]:
    """RFC 7518 §5.2.2.1: AES-256-CBC with PKCS#7 padding, then the HMAC-SHA-512 tag."""
    assert key.mac is not None and key.aes is not None
    iv = os.urandom(16)
    pad = 16 - len(plaintext) % 16
    encryptor = Cipher(key.aes, modes.CBC(iv)).encryptor()
    ct = encryptor.update(plaintext + bytes((pad,)) * pad) + encryptor.finalize()
    mac = key.mac.copy()
    mac.update(aad + iv + ct + (len(aad) * 8).to_bytes(8, "big"))
    return iv, ct, mac.finalize()[:32]


def _seal_gcm(key: _Key, aad: bytes, plaintext: bytes) -> tuple[bytes, bytes, bytes]:
    assert key.gcm is not None
    iv = os.urandom(12)
    sealed = key.gcm.encrypt(iv, plaintext, aad)
    return iv, sealed[:-16], sealed[-16:]


def seal(key: _Key, plaintext: bytes) -> str:
    """The compact JWE of *plaintext* under *key* (its own header; a fresh random IV)."""
    aad = key.header.encode("ascii")
    iv, ct, tag = (_seal_gcm if key.gcm is not None else _seal_cbc)(key, aad, plaintext)
    return f"{key.header}..{_b64e(iv)}.{_b64e(ct)}.{_b64e(tag)}"


def _open_gcm(key: _Key, aad: bytes, iv: bytes, ct: bytes, tag: bytes) -> bytes | None:
    if key.gcm is None or len(iv) != 12 or len(tag) != 16:
        return None
    try:
        return key.gcm.decrypt(iv, ct + tag, aad)
    except InvalidTag:
        return None
