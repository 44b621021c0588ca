"""Signed short-lived values (callback-url and OAuth 1 cookies): key order, salts, expiry, P-G3."""

from __future__ import annotations

import re

import pytest
import time_machine

from authmw.errors import ConfigurationError
from authmw.security.redirects import sanitize_redirect
from authmw.security.signing import SignedValues

NEW = "new-secret-0123456789abcdef"
OLD = "old-secret-0123456789abcdef"
SALT = "authmw.callback-url"
BASE = "https://app.example"


@pytest.fixture
def signer() -> SignedValues:
    return SignedValues([NEW, OLD], salt=SALT)


def test_round_trip_and_cookie_safe_output(signer: SignedValues) -> None:
    value = 'https://app.example/a;b,c"d e?x=1&y=\u00e9'
    signed = signer.sign(value)
    assert re.fullmatch(r"[A-Za-z0-9_.\-]+", signed)  # no quoting needed in a cookie
    assert signer.unsign(signed) == value
    assert signer.unsign(signer.sign("")) == ""


def test_secret_order_first_signs_all_verify(signer: SignedValues) -> None:
    signed = signer.sign("/x")
    assert SignedValues([NEW], salt=SALT).unsign(signed) == "/x"
    assert SignedValues([OLD], salt=SALT).unsign(signed) is None  # fails if the order flips
    assert SignedValues([NEW, OLD], salt=SALT).unsign(signed) == "/x"


def test_value_signed_with_the_second_secret_verifies(signer: SignedValues) -> None:
    signed = SignedValues([OLD], salt=SALT).sign("/old")
    assert signer.unsign(signed) == "/old"
    assert SignedValues([NEW], salt=SALT).unsign(signed) is None  # after removing OLD


def test_other_salt_or_secret_is_rejected(signer: SignedValues) -> None:
    signed = signer.sign("/x")
    assert SignedValues([NEW, OLD], salt="authmw.oauth1").unsign(signed) is None
    assert SignedValues(["unrelated-secret"], salt=SALT).unsign(signed) is None


def test_tampering_anywhere_is_rejected(signer: SignedValues) -> None:
    signed = signer.sign("https://app.example/dashboard")
    for i in range(len(signed)):
        flipped = "A" if signed[i] != "A" else "B"
        tampered = signed[:i] + flipped + signed[i + 1 :]
        result = signer.unsign(tampered)
        assert result is None or result == "https://app.example/dashboard", i
    assert signer.unsign(signed + "x") is None
    assert signer.unsign(signed[:-1]) is None


def test_expiry() -> None:
    with time_machine.travel(1_700_000_000, tick=False) as clock:
        signer = SignedValues([NEW], salt=SALT)
        signed = signer.sign("/x")
        clock.shift(60)
        assert signer.unsign(signed, max_age=60) == "/x"
        clock.shift(1)
        assert signer.unsign(signed, max_age=60) is None
        assert signer.unsign(signed) == "/x"  # no max_age: only the signature counts


def test_signed_in_the_future_is_rejected() -> None:
    with time_machine.travel(1_700_000_000, tick=False) as clock:
        signer = SignedValues([NEW], salt=SALT)
        signed = signer.sign("/x")
        clock.shift(-3600)
        assert signer.unsign(signed, max_age=60) is None


@pytest.mark.parametrize(
    "value", [None, 1, b"abc", ["a"], "", "not-signed", "a.b.c", "\ud800", "\x00" * 50, "é.é.é"]
)
def test_hostile_values_give_none(signer: SignedValues, value: object) -> None:
    assert signer.unsign(value) is None
    assert signer.unsign(value, max_age=10) is None


def test_P_G3_tampered_callback_url_cookie_gives_base(signer: SignedValues) -> None:
    stored = signer.sign(sanitize_redirect("/dashboard", BASE))
    assert sanitize_redirect(signer.unsign(stored), BASE) == "https://app.example/dashboard"
    tampered = signer.sign("https://evil.example/")[:-2] + "xx"
    assert sanitize_redirect(signer.unsign(tampered), BASE) == BASE
    # even a validly signed foreign value is re-validated on read
    assert sanitize_redirect(signer.unsign(signer.sign("https://evil.example/")), BASE) == BASE


def test_configuration_is_checked_and_secrets_hidden() -> None:
    for bad in ([], "one-string", [""]):
        with pytest.raises(ConfigurationError):
            SignedValues(bad, salt=SALT)
    with pytest.raises(ConfigurationError):
        SignedValues([NEW], salt="")
    assert NEW not in repr(SignedValues([NEW], salt=SALT))
