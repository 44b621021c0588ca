"""Flow-check helpers: PKCE, random values, the checks option."""

from __future__ import annotations

import re

import pytest

from authmw import ConfigurationError
from authmw.providers.checks import coerce_checks, pkce_challenge, random_token


def test_P_A3_pkce_known_answer() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert pkce_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_P_A2_P_A3_random_values() -> None:
    values = {random_token() for _ in range(10_000)}
    assert len(values) == 10_000
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{43}", v) for v in list(values)[:100])


def test_A_PS2_checks_option() -> None:
    assert coerce_checks(("pkce",), oidc=False) == {"pkce"}
    with pytest.raises(ConfigurationError):
        coerce_checks((), oidc=False)
    with pytest.raises(ConfigurationError):
        coerce_checks(("nonce",), oidc=True)
    with pytest.raises(ConfigurationError):
        coerce_checks(("state", "plain"), oidc=False)
    with pytest.raises(ConfigurationError):
        coerce_checks(("state", "nonce"), oidc=False)
