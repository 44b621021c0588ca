"""ID-token validation, one check at a time (OIDC Core §3.1.3.7)."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from authmw.providers.idtoken import (
    IdTokenError,
    IdTokenPolicy,
    read_header,
    token_hash,
    validate_id_token,
)
from tests.providers import idp

KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})
OTHER = RSAKey.generate_key(2048, parameters={"kid": "k2"})
POLICY = IdTokenPolicy(issuer="https://op.example", client_id="client")
NOW = time.time()


def claims(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "iss": "https://op.example", "aud": "client", "sub": "u1",
        "exp": int(NOW) + 300, "iat": int(NOW), "nonce": "n-1",
    }  # fmt: skip
    for key, value in changes.items():
        if value is None:
            base.pop(key, None)
        else:
            base[key] = value
    return base


def sign(payload: dict[str, Any], key: RSAKey = KEY, **header: Any) -> str:
    return jwt.encode({"alg": "RS256", "kid": key.kid, **header}, payload, key)


def lookup(keys: list[RSAKey]) -> Any:
    return lambda kid, alg: [k for k in keys if kid is None or k.kid == kid]


def check(token: str, keys: list[RSAKey] | None = None, **kw: Any) -> dict[str, Any]:
    kw.setdefault("nonce", "n-1")
    return validate_id_token(token, POLICY, lookup(keys or [KEY]), now=NOW, **kw)


def test_valid_token() -> None:
    assert check(sign(claims()))["sub"] == "u1"
    assert check(sign(claims(aud=["client"])))["sub"] == "u1"


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(claims(iss="https://op.example/"), id="P_D6_trailing_slash"),
        pytest.param(claims(iss=None), id="P_D6_missing_iss"),
        pytest.param(claims(aud=None), id="P_D7_missing_aud"),
        pytest.param(claims(aud=["client", "other"]), id="P_D7_extra_aud"),
        pytest.param(claims(azp="other"), id="P_D7_azp"),
        pytest.param(claims(exp=int(NOW) - 61), id="P_D8_expired_past_leeway"),
        pytest.param(claims(exp=None), id="P_D8_missing_exp"),
        pytest.param(claims(exp=str(int(NOW) + 300)), id="P_D8_string_exp"),
        pytest.param(claims(iat=None), id="P_D9_missing_iat"),
        pytest.param(claims(iat=int(NOW) + 61), id="P_D9_future_iat"),
        pytest.param(claims(iat=int(NOW) - 7 * 86400), id="P_D9_week_old"),
        pytest.param(claims(nonce="other"), id="P_D10_wrong_nonce"),
        pytest.param(claims(nonce=None), id="P_D10_missing_nonce"),
        pytest.param(claims(sub=None), id="P_D11_missing_sub"),
        pytest.param(claims(sub="x" * 256), id="P_D11_long_sub"),
        pytest.param(claims(nbf=int(NOW) + 600), id="nbf_future"),
    ],
)
def test_P_D_claim_checks(payload: dict[str, Any]) -> None:
    with pytest.raises(IdTokenError):
        check(sign(payload))


def test_P_D8_leeway_accepts_small_skew() -> None:
    assert check(sign(claims(exp=int(NOW) - 30, iat=int(NOW) + 30)))


def test_P_D1_structure() -> None:
    token = sign(claims())
    for bad in (token + ".x.y", token.rsplit(".", 1)[0], "a" * 20_000, None, 5):
        with pytest.raises(IdTokenError):
            check(bad)  # type: ignore[arg-type]


def test_P_D2_alg_none_and_unlisted() -> None:
    def b64(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    with pytest.raises(IdTokenError):
        check(f"{b64({'alg': 'none'})}.{b64(claims())}.")
    with pytest.raises(IdTokenError):
        read_header(sign(claims()), ("PS256",))


def test_P_D3_header_keys_refused() -> None:
    for header in ({"jku": "https://evil/jwks"}, {"x5u": "https://evil/c"}):
        with pytest.raises(IdTokenError):
            check(sign(claims(), **header))


def test_P_D5_crit_refused() -> None:
    token = idp.raw_sign(
        {"alg": "RS256", "kid": "k1", "crit": ["x-ext"], "x-ext": 1}, claims(), KEY
    )
    assert check(idp.raw_sign({"alg": "RS256", "kid": "k1"}, claims(), KEY))["sub"] == "u1"
    with pytest.raises(IdTokenError, match="crit"):
        check(token)


def test_P_D14_bad_signature() -> None:
    token = sign(claims())
    head, body, sig = token.split(".")
    with pytest.raises(IdTokenError):
        check(f"{head}.{body}.{sig[:-4]}AAAA")
    with pytest.raises(IdTokenError):
        check(sign(claims(), key=OTHER), keys=[KEY])


def test_P_D4_kid_absent_tries_each_candidate() -> None:
    token = jwt.encode({"alg": "RS256"}, claims(), OTHER)
    assert check(token, keys=[KEY, OTHER])["sub"] == "u1"


def test_P_D12_at_hash() -> None:
    good = token_hash("access", "RS256")
    expected = base64.urlsafe_b64encode(hashlib.sha256(b"access").digest()[:16]).rstrip(b"=")
    assert good == expected.decode()
    assert check(sign(claims(at_hash=good)), access_token="access")
    with pytest.raises(IdTokenError):
        check(sign(claims(at_hash="AAAA")), access_token="access")
    with pytest.raises(IdTokenError):
        token_hash("access", "XY999")  # A-AL7: unknown alg fails closed


def test_P_D13_auth_time_with_max_age() -> None:
    with pytest.raises(IdTokenError):
        check(sign(claims(auth_time=int(NOW) - 3600)), max_age=60)
    assert check(sign(claims(auth_time=int(NOW) - 10)), max_age=60)


def test_es256_key_must_fit_alg() -> None:
    from authmw.providers.jwks import key_fits

    ec = ECKey.generate_key("P-256")
    assert key_fits(ec, "ES256") and not key_fits(ec, "ES384") and not key_fits(ec, "RS256")
    assert not key_fits(KEY, "ES256")
