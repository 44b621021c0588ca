"""Property-based fuzzing of session token decoding (B-C1..B-C4, B-C7, B-C8, A-AL3).

Documented property of ``SessionTokenCodec.decode``: the claims of a valid, unexpired token,
or ``None`` -- never an exception. The tokens are authenticated encryption, so any change to a
valid token's text (a flipped character in any segment, truncation, an appendix, another
header) gives ``None``; and the hostile tokens leave the codec (and its cache) working.
"""

from __future__ import annotations

import base64
import json
import string
from functools import cache
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from authmw.session.jwt import MAX_TOKEN_LENGTH, SessionTokenCodec
from tests.fuzz.common import budget, hostile

SECRET = "authmw-fuzz-secret-0123456789abcdef0123"
SALT = "authmw.session-token"
NOW = 1_700_000_000.0
CLAIMS = {"name": "Ada", "email": "ada@example.com", "sub": "user-1"}
SCHEME = st.sampled_from(["v5", "v4"])
B64URL = string.ascii_letters + string.digits + "-_"


@cache
def codec(scheme: str) -> SessionTokenCodec:
    """One codec per scheme for the module, built as tests/session/test_jwt.py builds them."""
    return SessionTokenCodec([SECRET], salt=SALT, scheme=scheme)  # type: ignore[arg-type]


@cache
def valid_token(scheme: str) -> str:
    return codec(scheme).encode(CLAIMS, max_age=3600, now=NOW)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def assert_still_works(scheme: str) -> None:
    decoded = codec(scheme).decode(valid_token(scheme), now=NOW)
    assert decoded is not None and {k: decoded[k] for k in CLAIMS} == CLAIMS


TOKENISH = st.one_of(
    st.text(max_size=200),
    st.text(B64URL + ".", max_size=300),
    hostile([".", "..", "eyJ", "e30", "A", "-", "_", "=", "+", "/", "null"], max_pieces=20),
    st.lists(st.text(B64URL, max_size=40), min_size=1, max_size=7).map(".".join),
)


@budget(1)
@given(TOKENISH, SCHEME)
def test_B_C1_B_C2_arbitrary_strings_decode_to_none(token: str, scheme: str) -> None:
    assert codec(scheme).decode(token, now=NOW) is None
    assert_still_works(scheme)


@budget(0.5)
@given(st.one_of(st.none(), st.integers(), st.binary(), st.lists(st.text())), SCHEME)
def test_B_C1_non_text_tokens_decode_to_none(token: Any, scheme: str) -> None:
    assert codec(scheme).decode(token, now=NOW) is None


@st.composite
def mutations(draw: st.DrawFn, token: str) -> str:
    """*token* changed in one or more ways: a character replaced in a chosen segment, a cut, an
    appendix, a segment dropped or duplicated, or another (well-formed) header."""
    parts = token.split(".")
    kind = draw(st.sampled_from(["flip", "flip", "truncate", "append", "segments", "header"]))
    if kind == "flip":
        for _ in range(draw(st.integers(1, 3))):
            index = draw(st.integers(0, len(parts) - 1))
            segment = parts[index]
            at = draw(st.integers(0, len(segment)))
            new = draw(st.sampled_from([*B64URL, ".", "=", "+", "/", "\x00", "\u00e9"]))
            parts[index] = segment[:at] + new + segment[at + 1 :]
        return ".".join(parts)
    if kind == "truncate":
        return token[: draw(st.integers(0, len(token) - 1))]
    if kind == "append":
        return token + draw(st.text(B64URL + ".=", min_size=1, max_size=8))
    if kind == "segments":
        index = draw(st.integers(0, len(parts) - 1))
        if draw(st.booleans()):
            del parts[index]
        else:
            parts.insert(index, parts[index])
        return ".".join(parts)
    header: dict[str, Any] = json.loads(base64.urlsafe_b64decode(parts[0] + "=="))
    change = draw(
        st.sampled_from(["alg", "enc", "kid", "zip", "crit", "jwk", "order", "spaces", "array"])
    )
    if change == "alg":
        header["alg"] = draw(st.sampled_from(["none", "RSA1_5", "A128KW", "dir ", "DIR", ""]))
    elif change == "enc":
        header["enc"] = draw(st.sampled_from(["A128GCM", "A256CBC-HS512", "A256GCM", "none"]))
    elif change == "kid":
        header["kid"] = draw(st.sampled_from(["../../etc/passwd", "' OR 1=1--", "", 1, None]))
    elif change == "zip":
        header["zip"] = "DEF"
    elif change == "crit":
        header["crit"] = ["exp"]
    elif change == "jwk":
        header["jwk"] = {"kty": "oct", "k": b64(b"k" * 32)}
    raw = json.dumps(header, separators=(",", ":"))
    if change == "order":
        raw = json.dumps(dict(reversed(list(header.items()))), separators=(",", ":"))
    elif change == "spaces":
        raw = json.dumps(header)
    elif change == "array":
        raw = json.dumps([header])
    parts[0] = b64(raw.encode())
    return ".".join(parts)


@budget(1)
@given(SCHEME, st.data())
def test_B_C3_B_C4_any_change_to_a_valid_token_gives_none(scheme: str, data: st.DataObject) -> None:
    token = valid_token(scheme)
    mutated = data.draw(mutations(token), label="mutated token")
    result = codec(scheme).decode(mutated, now=NOW)
    if mutated == token:  # e.g. a character replaced by itself
        assert result is not None
    else:
        assert result is None, mutated
    assert_still_works(scheme)


@budget(0.5)
@given(SCHEME, st.integers(MAX_TOKEN_LENGTH + 1, 4 * MAX_TOKEN_LENGTH))
def test_B_C8_A_AL3_oversized_tokens_are_refused(scheme: str, length: int) -> None:
    token = valid_token(scheme)
    padded = token + "A" * (length - len(token))
    assert codec(scheme).decode(padded, now=NOW) is None


JSON_SCALAR = st.none() | st.booleans() | st.integers(-(2**60), 2**60) | st.text(max_size=20)
CLAIM_VALUE = st.recursive(
    JSON_SCALAR | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
CLAIM_NAME = st.text(max_size=10).filter(lambda name: name not in ("iat", "exp", "nbf", "jti"))


@budget(0.5)
@given(SCHEME, st.dictionaries(CLAIM_NAME, CLAIM_VALUE, max_size=6))
def test_B_C7_a_valid_token_of_any_claims_decodes_to_those_claims(
    scheme: str, claims: dict[str, Any]
) -> None:
    try:
        token = codec(scheme).encode(claims, max_age=600, now=NOW)
    except ValueError:  # documented: not JSON (lone surrogates) or over MAX_TOKEN_LENGTH
        return
    decoded = codec(scheme).decode(token, now=NOW)
    assert decoded is not None
    assert {k: decoded[k] for k in claims} == claims
    decoded.clear()  # the caller's copy: the cache keeps its own
    assert codec(scheme).decode(token, now=NOW) is not None
    assert codec(scheme).decode(token, now=NOW + 600 + 16) is None  # past exp + leeway
