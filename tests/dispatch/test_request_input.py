"""Reading an auth request's input (authmw/dispatch/request_input.py)."""

from __future__ import annotations

import io

import pytest

from authmw.dispatch.request_input import RequestError, read_body


def body(data: bytes, ctype: str = "application/json") -> dict[str, object]:
    return {"CONTENT_TYPE": ctype, "CONTENT_LENGTH": str(len(data)), "wsgi.input": io.BytesIO(data)}


def test_json_and_form_bodies() -> None:
    assert read_body(body(b'{"data": {"a": 1}}')) == {"data": {"a": 1}}
    assert read_body(body(b"a=1&b=2", "application/x-www-form-urlencoded")) == {"a": "1", "b": "2"}


@pytest.mark.parametrize(
    "data",
    [
        b'{"a": 1, "a": 2}',  # duplicate key
        b'{"a": NaN}',
        b"[1, 2]",
        b"{",
        b"[" * 30_000 + b"]" * 30_000,  # B-J1: deep nesting (under MAX_BODY) is a plain 400
    ],
)
def test_B_J1_bad_json_is_a_400(data: bytes) -> None:
    with pytest.raises(RequestError) as raised:
        read_body(body(data))
    assert raised.value.status == 400


@pytest.mark.parametrize(
    "length",
    [
        "ten",  # not a number
        "-1",
        "10",  # more than the two bytes that arrive
    ],
)
def test_B_H8_a_content_length_that_does_not_fit_the_body_is_a_400(length: str) -> None:
    environ = {**body(b"{}"), "CONTENT_LENGTH": length}
    with pytest.raises(RequestError) as raised:
        read_body(environ)
    assert raised.value.status == 400
