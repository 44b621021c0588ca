"""The provider's signing keys: a JWKS cache with a TTL and a rate-limited refetch.

An unknown ``kid`` triggers at most one refetch per cooldown (key rotation, P-D4); a failed
fetch (or an empty key set) keeps serving the keys already known and is not retried before
the cooldown has passed (P-F3). Concurrent callers share one fetch, made outside the lock
(R-6). Unparseable or encryption keys are skipped.
"""

from __future__ import annotations

import logging
import threading
import time
import warnings
from typing import Any

from joserfc.jwk import ECKey, JWKRegistry, OKPKey, RSAKey

from .http import HttpClient, ProviderHTTPError
from .single_flight import SingleFlight

log = logging.getLogger("authmw.providers.jwks")

PublicKey = RSAKey | ECKey | OKPKey
_CURVES = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521", "ES256K": "secp256k1"}
MAX_KEYS = 50


def key_fits(key: PublicKey, alg: str) -> bool:
    """Whether *key* can verify *alg*: matching ``kty`` / curve, not an encryption key."""
    params = key.as_dict(private=False)
    if params.get("use") not in (None, "sig"):
        return False
    if params.get("alg") not in (None, alg):
        return False
    if alg[:2] in ("RS", "PS"):
        return isinstance(key, RSAKey)
    if alg in _CURVES:
        return isinstance(key, ECKey) and params.get("crv") == _CURVES[alg]
    if alg in ("EdDSA", "Ed25519"):
        return isinstance(key, OKPKey) and params.get("crv") == "Ed25519"
    return False


def parse_jwks(data: dict[str, Any]) -> list[PublicKey]:
    """The usable public keys of a JWKS document (bad entries are skipped)."""
    raw = data.get("keys")
    keys: list[PublicKey] = []
    if not isinstance(raw, list):
        return keys
    for entry in raw[:MAX_KEYS]:
        if not isinstance(entry, dict) or entry.get("kty") not in ("RSA", "EC", "OKP"):
            continue
        if any(k in entry for k in ("d", "p", "q", "dp", "dq", "qi")):
            continue  # a private key published by mistake: never use it
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                key = JWKRegistry.import_key(entry)
        except Exception:  # noqa: S112 - any malformed key is just skipped
            continue
        if isinstance(key, RSAKey | ECKey | OKPKey):
            keys.append(key)
    return keys


class KeyCache:
    """Caches one provider's JWKS.

    :param ttl: seconds before the keys are fetched again.
    :param cooldown: minimum seconds between refetches forced by an unknown ``kid``, and
        between attempts after a failed fetch.
    """

    def __init__(self, http: HttpClient, *, ttl: float = 3600, cooldown: float = 60) -> None:
        self.http = http
        self.ttl = ttl
        self.cooldown = cooldown
        self._keys: list[PublicKey] = []
        self._uri: str | None = None
        self._fetched = float("-inf")
        self._failed = float("-inf")
        self._forced = float("-inf")
        self._lock = threading.Lock()
        self._flight = SingleFlight(wait=http.deadline)

    def candidates(self, uri: str, kid: str | None, alg: str) -> list[PublicKey]:
        """Keys that may have signed a token with *kid* and *alg* (refetching if needed)."""
        self._flight.run(lambda: self._fetch(uri), lambda: self._due(uri))
        found = self._match(kid, alg)
        if not found:
            # a key we do not know: perhaps rotated in, so one refetch per cooldown (P-D4)
            self._flight.run(lambda: self._fetch(uri), self._may_force)
            found = self._match(kid, alg)
        return found

    def _due(self, uri: str) -> bool:
        """Under the flight's lock: stale, and no failed fetch within the cooldown."""
        now = time.monotonic()
        stale = self._uri != uri or now - self._fetched >= self.ttl
        return stale and now - self._failed >= self.cooldown

    def _may_force(self) -> bool:
        """Under the flight's lock: no forced refetch and no failure within the cooldown."""
        now = time.monotonic()
        if now - self._forced < self.cooldown or now - self._failed < self.cooldown:
            return False
        self._forced = now
        return True

    def _fetch(self, uri: str) -> None:
        """Fetch the key set; on failure keep the keys known (P-F3). Runs outside the lock."""
        try:
            keys = parse_jwks(self.http.get_json(uri))
        except ProviderHTTPError as exc:
            self._failed_fetch(exc.reason)
            return
        if not keys:
            self._failed_fetch("no usable key in the set")
            return
        with self._lock:
            self._keys, self._uri, self._fetched = keys, uri, time.monotonic()

    def _failed_fetch(self, reason: str) -> None:
        self._failed = time.monotonic()
        log.warning(
            "JWKS fetch failed: %s; keeping %d cached keys, next attempt in %g s",
            reason, len(self._keys), self.cooldown,
        )  # fmt: skip

    def _match(self, kid: str | None, alg: str) -> list[PublicKey]:
        with self._lock:
            fitting = [k for k in self._keys if key_fits(k, alg)]
        if kid is None:
            return fitting
        return [k for k in fitting if k.kid == kid]
