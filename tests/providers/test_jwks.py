"""The JWKS cache: TTL, one refetch per cooldown on an unknown kid, stale keys on failure."""

from __future__ import annotations

from typing import Any

from authmw.providers.http import HttpClient
from authmw.providers.jwks import KeyCache, parse_jwks
from tests.providers import idp


def test_P_D4_unparseable_and_private_keys_are_skipped() -> None:
    good = idp._KEYS[0].as_dict(private=False)
    keys = parse_jwks(
        {"keys": [{"kty": "RSA", "n": "!!"}, {"kty": "weird"}, "x",
                  idp._KEYS[1].as_dict(private=True), good]}
    )  # fmt: skip
    assert [k.kid for k in keys] == ["k1"]
    assert parse_jwks({"keys": "nope"}) == []


def test_P_F3_rotation_cooldown_and_failure(op: Any) -> None:
    cache = KeyCache(HttpClient(timeout=2), cooldown=60)
    uri = f"{op.base}/jwks"
    assert [k.kid for k in cache.candidates(uri, "k1", "RS256")] == ["k1"]
    assert op.jwks_fetches == 1
    op.published = [idp._KEYS[1]]
    assert [k.kid for k in cache.candidates(uri, "k2", "RS256")] == ["k2"]
    assert op.jwks_fetches == 2
    assert cache.candidates(uri, "k3", "RS256") == []  # within the cooldown: no refetch
    assert op.jwks_fetches == 2
    cache.cooldown = 0
    op.published = []
    op.api.clear()
    uri_down = f"{op.base}/missing"
    cache._uri = uri_down  # a failing endpoint keeps the cached keys
    assert [k.kid for k in cache.candidates(uri_down, "k2", "RS256")] == ["k2"]
