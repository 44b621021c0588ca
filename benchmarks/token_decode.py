"""Microseconds per session-token decode: joserfc, authmw (uncached, cached) and the floor.

Run: ``.venv/bin/python benchmarks/token_decode.py [--number N]``. The floor is the bare
cryptography call plus ``json.loads`` with no checks at all: what any decoder must pay.
"""

from __future__ import annotations

import argparse
import base64
import hmac
import json
import timeit
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from joserfc import jwe
from joserfc.jwk import OctKey

from authmw.session.jwt import SessionTokenCodec, TokenScheme

SECRET = "benchmark-secret-0123456789abcdef0123456789"
SALT = "authjs.session-token"
CLAIMS = {
    "name": "Ada Lovelace",
    "email": "ada@example.com",
    "picture": "https://avatars.example.com/u/12345?v=4",
    "sub": "0f7c3a52-6f1e-4c2b-9f0a-3d1e2b4c5a6f",
}


def b64d(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def derive(scheme: TokenScheme) -> bytes:
    if scheme == "v5":
        info, length = f"Auth.js Generated Encryption Key ({SALT})", 64
    else:
        info, length = f"NextAuth.js Generated Encryption Key ({SALT})", 32
    return HKDF(hashes.SHA256(), length, SALT.encode(), info.encode()).derive(SECRET.encode())


def floor(scheme: TokenScheme, token: str, key: bytes) -> Callable[[], Any]:
    header, _, iv_s, ct_s, tag_s = token.split(".")
    aad, iv, ct, tag = header.encode(), b64d(iv_s), b64d(ct_s), b64d(tag_s)
    if scheme == "v4":
        gcm = AESGCM(key)
        return lambda: json.loads(gcm.decrypt(iv, ct + tag, aad))
    aes = algorithms.AES(key[32:])
    al = (len(aad) * 8).to_bytes(8, "big")

    def cbc() -> Any:
        mac = hmac.digest(key[:32], aad + iv + ct + al, "sha512")[:32]
        if not hmac.compare_digest(mac, tag):
            raise ValueError("tag")
        decryptor = Cipher(aes, modes.CBC(iv)).decryptor()
        padded = decryptor.update(ct) + decryptor.finalize()
        return json.loads(padded[: -padded[-1]])

    return cbc


def per_call(func: Callable[[], Any], number: int) -> float:
    best = min(timeit.repeat(func, number=number, repeat=5))
    return best / number * 1e6


def bench(scheme: TokenScheme, number: int) -> None:
    cached = SessionTokenCodec([SECRET], salt=SALT, scheme=scheme)
    uncached = SessionTokenCodec([SECRET], salt=SALT, scheme=scheme, cache_size=0)
    token = cached.encode(CLAIMS, max_age=3600)
    key = derive(scheme)
    jwk = OctKey.import_key(key)
    assert uncached.decode(token) == cached.decode(token) is not None
    enc = "A256GCM" if scheme == "v4" else "A256CBC-HS512"
    primitive = "AES-GCM" if scheme == "v4" else "HMAC + AES-CBC"
    rows: list[tuple[str, Callable[[], Any], int]] = [
        (
            "joserfc decrypt_compact + json",
            lambda: json.loads(jwe.decrypt_compact(token, jwk).plaintext or b""),
            max(number // 10, 1),
        ),
        ("authmw decode, uncached", lambda: uncached.decode(token), number),
        ("authmw decode, cached", lambda: cached.decode(token), number),
        (f"floor: {primitive} + json", floor(scheme, token, key), number),
    ]
    print(f"{scheme} ({enc}), token of {len(token)} characters:")
    for label, func, count in rows:
        print(f"  {label:<36} {per_call(func, count):8.2f} µs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--number", type=int, default=20_000)
    args = parser.parse_args()
    bench("v5", args.number)
    bench("v4", args.number)


if __name__ == "__main__":
    main()
