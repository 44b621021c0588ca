"""Per-request overhead of the full authmw stack against a bare WSGI app, in one run.

Measures, in a tight loop with prebuilt environs (no server, no sockets):

- bare: a trivial WSGI app;
- anonymous: the same app behind the full stack, no cookie, 1,000 rules;
- signed in: the full stack with a valid session cookie (default v5 token) and 1,000 rules,
  with the decrypted-token cache (a browser sends the same cookie again and again) and without;
- floor: the least any encrypted cookie costs: raw AES-GCM decrypt + json.loads (v4 scheme)
  and raw AES-CBC + HMAC-SHA512 (v5 scheme), with ``cryptography``.

Prints µs per request and the ratios. Run: ``.venv/bin/python benchmarks/overhead.py``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sys
import timeit
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from authmw import Auth

SECRET = "benchmark-secret-" + "x" * 32
RULE_COUNT = 1000


def bare_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
    return None


def rules(count: int) -> list[dict[str, Any]]:
    made: list[dict[str, Any]] = []
    for i in range(count - 1):
        kind = i % 3
        if kind == 0:
            made.append({"path": f"/section{i}/page", "signed_in": True})
        elif kind == 1:
            made.append({"path": f"/area{i}/*/detail", "roles": ["admin"]})
        else:
            made.append({"path": f"/tree{i}/**", "public": True})
    made.append({"path": "/dashboard/**", "signed_in": True})
    return made


def per_request(app: Callable[..., Any], environ: dict[str, Any], number: int) -> float:
    def call() -> None:
        for _ in app(dict(environ), start_response):
            pass

    call()
    best = min(timeit.repeat(call, number=number, repeat=5))
    return best / number * 1e6


def per_request_cycling(app: Callable[..., Any], environs: list[dict[str, Any]]) -> float:
    """µs per request over *environs* in turn (each a cache miss when they outnumber the cache)."""

    def call() -> None:
        for environ in environs:
            for _ in app(dict(environ), start_response):
                pass

    call()
    best = min(timeit.repeat(call, number=1, repeat=3))
    return best / len(environs) * 1e6


def b64(data: str) -> bytes:
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


def floor_gcm(number: int) -> float:
    key = AESGCM.generate_key(bit_length=256)
    aes = AESGCM(key)
    payload = json.dumps({"sub": "1", "email": "a@example.com", "exp": 2e9}).encode()
    iv = b"\0" * 12
    header = base64.urlsafe_b64encode(b'{"alg":"dir","enc":"A256GCM"}').rstrip(b"=")
    blob = aes.encrypt(iv, payload, header)
    ct, tag = blob[:-16], blob[-16:]
    token = ".".join(
        x.decode() if isinstance(x, bytes) else x
        for x in (
            header,
            "",
            base64.urlsafe_b64encode(iv).rstrip(b"="),
            base64.urlsafe_b64encode(ct).rstrip(b"="),
            base64.urlsafe_b64encode(tag).rstrip(b"="),
        )
    )

    def decode() -> None:
        h, _, i, c, t = token.split(".")
        json.loads(aes.decrypt(b64(i), b64(c) + b64(t), h.encode()))

    return min(timeit.repeat(decode, number=number, repeat=5)) / number * 1e6


def floor_cbc_hs512(number: int) -> float:
    key = b"k" * 64
    mac_key, enc_key = key[:32], key[32:]
    payload = json.dumps({"sub": "1", "email": "a@example.com", "exp": 2e9}).encode()
    pad = 16 - len(payload) % 16
    iv = b"\1" * 16
    enc = Cipher(algorithms.AES(enc_key), modes.CBC(iv)).encryptor()
    ct = enc.update(payload + bytes([pad]) * pad) + enc.finalize()
    aad = b"header"
    al = (len(aad) * 8).to_bytes(8, "big")
    tag = hmac.new(mac_key, aad + iv + ct + al, hashlib.sha512).digest()[:32]

    def decode() -> None:
        expected = hmac.new(mac_key, aad + iv + ct + al, hashlib.sha512).digest()[:32]
        hmac.compare_digest(expected, tag)
        dec = Cipher(algorithms.AES(enc_key), modes.CBC(iv)).decryptor()
        plain = dec.update(ct) + dec.finalize()
        json.loads(plain[: -plain[-1]])

    return min(timeit.repeat(decode, number=number, repeat=5)) / number * 1e6


def main() -> None:
    number = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    auth = Auth(secret=SECRET, url="http://localhost")
    wrapped = auth.wrap(bare_app, rules=rules(RULE_COUNT))
    codec = auth.realm({}).session_codec
    token = codec.encode({"sub": "1", "name": "Alice", "email": "alice@example.com"}, max_age=3600)
    base_env = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/dashboard/reports",
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "HTTP_ACCEPT": "text/html",
    }
    signed_env = {**base_env, "HTTP_COOKIE": f"authmw.session-token={token}; theme=dark"}
    public_env = {**base_env, "PATH_INFO": "/tree2/anything"}

    bare = per_request(bare_app, base_env, number)
    anonymous = per_request(wrapped, public_env, number)
    signed = per_request(wrapped, signed_env, number)
    codec._size = 0  # the same request with the decrypted-token cache turned off
    uncached = per_request(wrapped, signed_env, number)
    codec._size = 1024
    distinct = [  # 10,000 users, each token seen once per cycle: every request a cache miss
        {**base_env, "HTTP_COOKIE": "authmw.session-token=" + codec.encode(
            {"sub": str(i), "name": f"User {i}", "email": f"user{i}@example.com"}, max_age=3600
        )}
        for i in range(10_000)
    ]  # fmt: skip
    cycling = per_request_cycling(wrapped, distinct)
    gcm = floor_gcm(number)
    cbc = floor_cbc_hs512(number)

    print(f"{'case':<44}{'µs/request':>12}{'added µs':>10}{'ratio':>8}")
    for label, value in (
        ("bare WSGI app", bare),
        (f"anonymous, public path, {RULE_COUNT} rules", anonymous),
        (f"signed in (v5 token), {RULE_COUNT} rules", signed),
        ("signed in, token cache off", uncached),
        ("signed in, 10,000 distinct tokens cycling", cycling),
    ):
        print(f"{label:<44}{value:>12.2f}{value - bare:>10.2f}{value / bare:>8.1f}")
    print(f"{'floor: raw A256GCM decrypt + json.loads':<44}{gcm:>12.2f}")
    print(f"{'floor: raw A256CBC-HS512 decrypt + json':<44}{cbc:>12.2f}")
    print(f"\nadded per signed-in request: {signed - bare:.2f} µs (target < 15 µs)")
    print(f"added per anonymous request: {anonymous - bare:.2f} µs (target < 2 µs)")
    print(f"added per cache-miss request: {cycling - bare:.2f} µs (target <= 15 µs)")


if __name__ == "__main__":
    main()
