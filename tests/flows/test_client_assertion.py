"""Token endpoint client authentication by signed assertion, end to end (P-C1).

``private_key_jwt`` and ``client_secret_jwt`` against the local test OP, whose token endpoint
verifies the assertion as a real IdP does (``tests/providers/client_assertions.py``): the key
registered for the client, ``iss``/``sub``, ``aud``, expiry and ``jti`` replay.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import ECKey, OctKey, RSAKey

from authmw.providers.oidc import OIDCProvider
from authmw.providers.presets import Keycloak
from tests.providers import idp
from tests.providers.client_assertions import ASSERTION_TYPE, AssertionCheck

RSA = RSAKey.generate_key(2048, parameters={"kid": "client-rsa"})
OTHER_RSA = RSAKey.generate_key(2048, parameters={"kid": "client-rsa"})
EC = ECKey.generate_key("P-256", parameters={"kid": "client-ec"})


def register(op: Any, key: Any) -> AssertionCheck:
    """Register *key* (public part, or the secret) for the test client at *op*."""
    check = AssertionCheck(keys={idp.CLIENT_ID: key}, audiences={f"{op.base}/token"})
    op.assertions = check
    return check


def provider(op: Any, **options: Any) -> OIDCProvider:
    options.setdefault("timeout", 2)
    return idp.oidc_provider(op, **{"client_secret": None, **options})


def token_form(op: Any) -> dict[str, str]:
    (_method, _path, _query, form) = op.requests_to("/token")[-1]
    return form


@pytest.mark.parametrize(
    ("key", "given", "alg"),
    [
        (RSA, "pem", "RS256"),
        (RSA, "jwk", "PS256"),
        (EC, "jwk", "ES256"),
        (EC, "pem", "ES256"),
    ],
    ids=["RS256-pem", "PS256-jwk", "ES256-jwk", "ES256-pem"],
)
def test_P_C1_private_key_jwt_sign_in(op: Any, key: Any, given: str, alg: str) -> None:
    check = register(op, key)
    private = key.as_pem(private=True).decode() if given == "pem" else key.as_dict(private=True)
    app = idp.make_app(
        [
            provider(
                op,
                token_endpoint_auth_method="private_key_jwt",
                client_private_key=private,
                client_key_id=key.kid if given == "pem" else None,
                token_endpoint_auth_signing_alg=alg if alg == "PS256" else None,
            )
        ]
    )
    response = idp.sign_in(app, "oidc")
    assert idp.error_of(response) is None, check.refused
    assert idp.session_of(app)["user"]["email"] == "ada@example.com"
    form = token_form(op)
    assert form["client_assertion_type"] == ASSERTION_TYPE
    assert form["client_id"] == idp.CLIENT_ID
    assert "client_secret" not in form and "_authorization" not in form
    [seen] = check.accepted
    assert seen["header"]["alg"] == alg and seen["header"]["kid"] == key.kid
    claims = seen["claims"]
    assert claims["iss"] == claims["sub"] == idp.CLIENT_ID
    assert claims["aud"] == f"{op.base}/token"
    assert 0 < claims["exp"] - claims["iat"] <= 60 and len(claims["jti"]) >= 32


def test_P_C1_client_secret_jwt_sign_in(op: Any) -> None:
    check = register(op, OctKey.import_key(idp.CLIENT_SECRET.encode()))
    app = idp.make_app(
        [
            provider(
                op,
                client_secret=idp.CLIENT_SECRET,
                client={"token_endpoint_auth_method": "client_secret_jwt"},  # NextAuth's shape
            )
        ]
    )
    assert idp.error_of(idp.sign_in(app, "oidc")) is None, check.refused
    assert idp.session_of(app)["user"]["email"] == "ada@example.com"
    assert "client_secret" not in token_form(op)
    assert check.accepted[0]["header"]["alg"] == "HS256"


def test_P_C1_private_key_jwt_with_a_preset_and_refresh(op: Any) -> None:
    """A preset, no client secret, a certificate thumbprint in the header; the refresh
    authenticates with a new assertion."""
    check = register(op, RSA)
    keycloak = Keycloak(
        issuer=op.issuer,
        allow_loopback_http=True,
        client_id=idp.CLIENT_ID,
        token_endpoint_auth_method="private_key_jwt",
        client_private_key={**RSA.as_dict(private=True), "x5t#S256": "thumbprint"},
        timeout=2,
    )
    app = idp.make_app([keycloak])
    assert idp.error_of(idp.sign_in(app, "keycloak")) is None, check.refused
    op.refresh_tokens["r-1"] = op.sub
    tokens = keycloak.refresh_tokens("r-1", {"provider_account_id": op.sub})
    assert tokens["access_token"]
    assert token_form(op)["grant_type"] == "refresh_token"
    assert len(check.accepted) == 2
    assert check.accepted[0]["header"]["x5t#S256"] == "thumbprint"  # certificate registrations
    assert check.accepted[0]["claims"]["jti"] != check.accepted[1]["claims"]["jti"]


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"client_private_key": OTHER_RSA.as_dict(private=True)}, "bad signature"),
        (
            {
                "client_private_key": RSA.as_dict(private=True),
                "client_assertion_audience": "issuer",
            },
            "wrong aud",
        ),
    ],
    ids=["wrong_key", "wrong_audience"],
)
def test_P_C1_refused_assertion_fails_cleanly(
    op: Any, options: dict[str, Any], reason: str
) -> None:
    check = register(op, RSA)
    app = idp.make_app([provider(op, token_endpoint_auth_method="private_key_jwt", **options)])
    response = idp.sign_in(app, "oidc")
    assert response.status_int == 302 and idp.error_of(response) == "OAuthCallback"
    assert idp.session_of(app) in ({}, None)
    assert check.refused == [reason]


def test_P_C1_issuer_audience_when_the_idp_wants_it(op: Any) -> None:
    check = register(op, RSA)
    check.audiences = {op.issuer}
    app = idp.make_app(
        [
            provider(
                op,
                token_endpoint_auth_method="private_key_jwt",
                client_private_key=RSA.as_dict(private=True),
                client_assertion_audience="issuer",
            )
        ]
    )
    assert idp.error_of(idp.sign_in(app, "oidc")) is None, check.refused
    assert check.accepted[0]["claims"]["aud"] == op.issuer


def test_P_C1_unlisted_method_is_a_warning(op: Any, caplog: pytest.LogCaptureFixture) -> None:
    register(op, RSA)
    op.discovery_extra = {
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        "token_endpoint_auth_signing_alg_values_supported": ["ES256"],
    }
    app = idp.make_app(
        [
            provider(
                op,
                token_endpoint_auth_method="private_key_jwt",
                client_private_key=RSA.as_dict(private=True),
            )
        ]
    )
    with caplog.at_level(logging.WARNING, logger="authmw.providers"):
        response = idp.sign_in(app, "oidc")
    assert idp.error_of(response) is None  # the IdP's answer decides, not its metadata
    text = caplog.text
    assert "does not list token_endpoint_auth_method private_key_jwt" in text
    assert "does not list RS256 for client assertions" in text
    assert "BEGIN" not in text and '"d"' not in text


def _assertion(op: Any, key: Any, **changes: Any) -> str:
    now = int(time.time())
    claims = {
        "iss": idp.CLIENT_ID,
        "sub": idp.CLIENT_ID,
        "aud": f"{op.base}/token",
        "jti": "jti-1",
        "iat": now,
        "exp": now + 60,
        **changes,
    }
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda op: _assertion(op, OTHER_RSA), "bad signature"),
        (lambda op: _assertion(op, RSA, aud="https://elsewhere.example/token"), "wrong aud"),
        (lambda op: _assertion(op, RSA, exp=int(time.time()) - 5), "expired"),
        (lambda op: _assertion(op, RSA, sub="someone-else"), "iss/sub/client_id differ"),
        (lambda op: _assertion(op, RSA), "replayed jti"),
    ],
    ids=["bad_signature", "wrong_aud", "expired", "other_subject", "replayed_jti"],
)
def test_P_C1_test_idp_refuses_bad_assertions(op: Any, make: Any, reason: str) -> None:
    """The test IdP's checks are real, so the sign-ins above prove something."""
    check = register(op, RSA)
    check.seen_jti.add("jti-1")
    form = {
        "grant_type": "refresh_token",
        "refresh_token": "r",
        "client_id": idp.CLIENT_ID,
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": make(op),
    }
    answer = requests.post(f"{op.base}/token", data=form, timeout=5)
    assert answer.status_code == 401 and answer.json() == {"error": "invalid_client"}
    assert check.refused == [reason]
