"""Cookie header parsing (B-C10..B-C12, A-PY2) and Set-Cookie formatting."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

import pytest

from authmw.cookies.codec import delete_cookie, format_set_cookie, parse_cookie_header


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", {}),
        ("a=1", {"a": "1"}),
        ("a=1; b=2", {"a": "1", "b": "2"}),
        ("  a = 1 ;b=2;;  ; c=", {"a": "1", "b": "2", "c": ""}),
        ("token=abc==; x=a=b", {"token": "abc==", "x": "a=b"}),
        ('q="quoted value"; r="', {"q": "quoted value", "r": '"'}),
        ('q=""', {"q": ""}),
        ("flag; =novalue; a=1", {"a": "1"}),
        ("csrf=abc%7Cdef; url=http%3A%2F%2Fx%2Fy", {"csrf": "abc|def", "url": "http://x/y"}),
        ("bad=%zz%41; half=%4", {"bad": "%zz%41", "half": "%4"}),
        ("utf=%C3%A9; invalid=%C3%28", {"utf": "é", "invalid": "%C3%28"}),
        ("a=1,b=2", {"a": "1,b=2"}),
    ],
)
def test_parse(header: str, expected: dict[str, str]) -> None:
    assert parse_cookie_header(header) == expected


def test_B_C10_same_name_with_different_values_is_dropped() -> None:
    assert parse_cookie_header("s=victim; s=attacker; other=1") == {"other": "1"}
    assert parse_cookie_header("s=a; s=b; s=a") == {}
    assert parse_cookie_header("s=a; s=a") == {"s": "a"}
    assert parse_cookie_header('s=a; s="a"') == {"s": "a"}


def test_B_C11_latin1_and_binary_never_raise() -> None:
    raw = "s=caf\xc3\xa9; t=\xff\xfe\x00; \xe9=x; u=%FF"
    cookies = parse_cookie_header(raw)
    assert cookies["s"] == "caf\xc3\xa9"
    assert cookies["t"] == "\xff\xfe\x00"
    assert cookies["\xe9"] == "x"
    assert cookies["u"] == "%FF"


@pytest.mark.parametrize(
    "header",
    [
        'a="' + "\\" * 8192 + '"',
        'a="' + "\\\\\\" * 2800 + '"',
        "a=" + "\\;" * 4096,
        ";" * 8192,
        "=" * 8192,
        "%" * 8192,
        "a=" + "%41" * 2800,
        "; ".join(f"c{i}=v" for i in range(1000)),
    ],
    ids=[
        "backslashes",
        "escaped-backslashes",
        "backslash-semicolons",
        "semicolons",
        "equals",
        "percents",
        "escapes",
        "many-cookies",
    ],
)
def test_B_C12_A_PY2_hostile_header_parses_in_bounded_time(header: str) -> None:
    started = time.thread_time()  # CPU time: the other workers' load does not count
    parse_cookie_header(header)
    assert time.thread_time() - started < 0.1  # bounded (a quadratic parse takes seconds)


def test_format_defaults() -> None:
    assert (
        format_set_cookie("authmw.session-token", "abc", max_age=60, secure=False)
        == "authmw.session-token=abc; Max-Age=60; Path=/; HttpOnly; SameSite=Lax"
    )


def test_format_all_attributes() -> None:
    header = format_set_cookie(
        "__Secure-authmw.session-token",
        "v",
        max_age=None,
        path="/app",
        domain="example.com",
        secure=True,
        http_only=False,
        same_site="Strict",
        expires=datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC),
    )
    assert header == (
        "__Secure-authmw.session-token=v; Expires=Wed, 02 Jan 2030 03:04:05 GMT; "
        "Domain=example.com; Path=/app; Secure; SameSite=Strict"
    )


def test_format_expires_converts_to_utc_and_takes_naive_as_utc() -> None:
    aware = datetime(2030, 1, 2, 5, 4, 5, tzinfo=timezone(timedelta(hours=2)))
    naive = datetime(2030, 1, 2, 3, 4, 5)
    for when in (aware, naive):
        header = format_set_cookie("a", "v", max_age=None, secure=False, expires=when)
        assert "Expires=Wed, 02 Jan 2030 03:04:05 GMT" in header


@pytest.mark.parametrize(
    "value", ["tok|hash", "http://x.test/a?b=c&d=e;f", 'q"uo\\te', "sp ace,comma", "é🦊", ""]
)
def test_values_are_percent_encoded_and_round_trip(value: str) -> None:
    header = format_set_cookie("c", value, max_age=None, secure=False)
    pair = header.split("; ")[0]
    assert ";" not in pair and " " not in pair and '"' not in pair and "," not in pair
    assert parse_cookie_header(pair) == {"c": value}


def test_encoding_matches_encode_uri_component() -> None:
    header = format_set_cookie("c", "a|b c!'()*~-_.", max_age=None, secure=False)
    assert header.startswith("c=a%7Cb%20c!'()*~-_.;")


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("bad name", {}),
        ("bad;name", {}),
        ("", {}),
        ("n", {"same_site": "None"}),
        ("n", {"same_site": "Loose"}),
        ("__Secure-n", {}),
        ("__Host-n", {}),
        ("__Host-n", {"secure": True, "domain": "example.com"}),
        ("__Host-n", {"secure": True, "path": "/app"}),
        ("n", {"path": "/; Domain=evil.example"}),
        ("n", {"domain": "example.com\r\nSet-Cookie: x=y"}),
        ("n", {"path": "/ä"}),
    ],
)
def test_format_refuses_what_browsers_would_drop_or_misread(
    name: str, kwargs: dict[str, object]
) -> None:
    options: dict[str, object] = {"max_age": 1, "secure": False, **kwargs}
    with pytest.raises(ValueError):
        format_set_cookie(name, "v", **options)  # type: ignore[arg-type]


def test_host_prefix_is_fine_with_its_rules() -> None:
    header = format_set_cookie("__Host-authmw.csrf-token", "v", max_age=None, secure=True)
    assert header == "__Host-authmw.csrf-token=v; Path=/; Secure; HttpOnly; SameSite=Lax"


def test_delete_cookie_expires_with_the_same_attributes() -> None:
    header = delete_cookie(
        "__Secure-authmw.session-token.1",
        secure=True,
        path="/",
        domain="example.com",
        same_site="Lax",
    )
    assert header == (
        "__Secure-authmw.session-token.1=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; "
        "Domain=example.com; Path=/; Secure; HttpOnly; SameSite=Lax"
    )
