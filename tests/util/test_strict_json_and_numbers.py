"""Strict JSON and numbers (authmw/util/strict_json.py, authmw/util/numbers.py)."""

from __future__ import annotations

import pytest

from authmw.util.numbers import finite_number
from authmw.util.strict_json import DECODER, parse_object


def test_parse_object() -> None:
    assert parse_object(b'{"a": 1}') == {"a": 1}
    assert parse_object('{"a": {"b": 2}}') == {"a": {"b": 2}}
    for bad in (b'{"a": 1, "a": 2}', b"[1]", b"{", b'{"a": NaN}', b"\xff", b'{"a": Infinity}'):
        assert parse_object(bad) is None
    with pytest.raises(ValueError):
        DECODER.decode('{"x": {"y": 1, "y": 2}}')


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1, 1.0), (2.5, 2.5), (True, None), ("1", None), (None, None), (float("inf"), None),
     (10**400, None), (float("nan"), None)],
)  # fmt: skip
def test_finite_number(value: object, expected: float | None) -> None:
    assert finite_number(value) == expected


def test_B_J1_deep_nesting_is_not_an_object() -> None:
    assert parse_object(b"[" * 100_000 + b"]" * 100_000) is None
    assert parse_object(b'{"a":' * 100_000 + b"1" + b"}" * 100_000) is None
