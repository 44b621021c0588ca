"""Cookie chunking: NextAuth names, strict joining (B-C9) and stale-chunk expiry (S-C6)."""

from __future__ import annotations

import random
import time

import pytest

from authmw.cookies.chunks import (
    CHUNK_SIZE,
    MAX_CHUNKS,
    chunk_cookie_values,
    join_chunks,
    stale_chunks,
)
from authmw.cookies.codec import delete_cookie, format_set_cookie, parse_cookie_header
from authmw.session.jwt import MAX_TOKEN_LENGTH

NAME = "authmw.session-token"


def as_cookies(pairs: list[tuple[str, str]], shuffle: bool = True) -> dict[str, str]:
    pairs = list(pairs)
    if shuffle:
        random.Random(3).shuffle(pairs)
    return dict(pairs)


@pytest.mark.parametrize(
    "length", [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE, 20_000]
)
def test_round_trip(length: int) -> None:
    value = "".join(random.Random(length).choices("abcXYZ-_.0189", k=length)) or "v"
    pairs = chunk_cookie_values(NAME, value)
    expected = -(-len(value) // CHUNK_SIZE)
    if expected <= 1:
        assert pairs == [(NAME, value)]
    else:
        assert [name for name, _ in pairs] == [f"{NAME}.{i}" for i in range(expected)]
        assert all(len(v) <= CHUNK_SIZE for _, v in pairs)
    assert join_chunks(as_cookies(pairs), NAME) == value


def test_custom_size_matches_auth_js() -> None:
    pairs = chunk_cookie_values(NAME, "x" * 3937, size=3936)
    assert [len(v) for _, v in pairs] == [3936, 1]


def test_largest_token_fits_in_the_chunk_cap() -> None:
    assert len(chunk_cookie_values(NAME, "x" * MAX_TOKEN_LENGTH)) <= MAX_CHUNKS


def test_S_C6_value_over_the_cap_is_refused_not_truncated() -> None:
    with pytest.raises(ValueError, match="chunks"):
        chunk_cookie_values(NAME, "x" * (CHUNK_SIZE * MAX_CHUNKS + 1))


def test_join_reads_the_plain_cookie() -> None:
    assert join_chunks({NAME: "abc", "other": "x"}, NAME) == "abc"
    assert join_chunks({"other": "x"}, NAME) is None
    assert join_chunks({}, NAME) is None


@pytest.mark.parametrize(
    "foreign",
    [
        f"{NAME}x",
        f"{NAME}.",
        f"{NAME}.x",
        f"{NAME}.1a",
        f"{NAME}.-1",
        f"{NAME}.²",
        f"x{NAME}.0",
        f"{NAME}-legacy",
        f"{NAME}.0.1",
        NAME.upper(),
    ],
)
def test_join_ignores_names_that_only_share_the_prefix(foreign: str) -> None:
    assert join_chunks({NAME: "abc", foreign: "zzz"}, NAME) == "abc"


def test_join_sorts_numerically() -> None:
    cookies = {f"{NAME}.{i}": str(i % 10) for i in reversed(range(MAX_CHUNKS))}
    assert join_chunks(cookies, NAME) == "01234567"[:MAX_CHUNKS]


CHUNK_SETS = {
    "dot1-missing": {".0": "a", ".2": "c"},
    "dot0-missing": {".1": "b", ".2": "c"},
    "extra-dot7": {".0": "a", ".1": "b", ".7": "h"},
    "leading-zero": {".0": "a", ".01": "b"},
    "empty-chunk": {".0": "a", ".1": ""},
    "huge-index": {".0": "a", ".99999999999999999999": "b"},
    "plain-and-chunks": {"": "x", ".0": "a", ".1": "b"},  # two different sessions
    "over-the-cap": {f".{i}": "a" for i in range(MAX_CHUNKS + 1)},
    "empty-plain": {"": ""},
}


@pytest.mark.parametrize("chunks", CHUNK_SETS.values(), ids=CHUNK_SETS.keys())
def test_B_C9_broken_chunk_set_is_anonymous(chunks: dict[str, str]) -> None:
    assert join_chunks({NAME + s: v for s, v in chunks.items()}, NAME) is None


def test_B_C9_cap_is_exact() -> None:
    cookies = {f"{NAME}.{i}": "a" for i in range(4)}
    assert join_chunks(cookies, NAME, max_chunks=4) == "aaaa"
    cookies[f"{NAME}.4"] = "a"
    assert join_chunks(cookies, NAME, max_chunks=4) is None


def test_B_C9_ten_thousand_chunk_names_stay_cheap() -> None:
    cookies = {f"{NAME}.{i}": "a" * 10 for i in range(10_000)}
    started = time.thread_time()  # CPU time: other workers' load does not count
    assert join_chunks(cookies, NAME) is None
    assert len(stale_chunks(cookies, NAME, ())) == 32
    assert time.thread_time() - started < 0.5  # bounded, not a benchmark


def test_S_C6_growing_from_three_chunks_to_one_expires_the_chunks() -> None:
    old = chunk_cookie_values(NAME, "x" * (2 * CHUNK_SIZE + 10))
    request = as_cookies([*old, ("csrf", "t")])
    new = chunk_cookie_values(NAME, "short")
    written = [name for name, _ in new]
    stale = stale_chunks(request, NAME, written)
    assert stale == [f"{NAME}.0", f"{NAME}.1", f"{NAME}.2"]
    headers = [format_set_cookie(n, v, max_age=60, secure=False) for n, v in new]
    headers += [delete_cookie(n, secure=False) for n in stale]
    browser = dict(request)
    for header in headers:  # apply like a browser: Max-Age=0 deletes
        pair = header.split(";")[0]
        name, _, value = pair.partition("=")
        if "Max-Age=0" in header:
            browser.pop(name, None)
        else:
            browser[name] = value
    assert join_chunks(parse_cookie_header("; ".join(f"{k}={v}" for k, v in browser.items())), NAME)
    assert join_chunks(browser, NAME) == "short"
    assert browser["csrf"] == "t"


def test_S_C6_shrinking_from_three_to_two_expires_only_the_last() -> None:
    request = as_cookies(chunk_cookie_values(NAME, "x" * (2 * CHUNK_SIZE + 10)))
    written = [n for n, _ in chunk_cookie_values(NAME, "y" * (CHUNK_SIZE + 10))]
    assert stale_chunks(request, NAME, written) == [f"{NAME}.2"]


def test_S_C6_growing_from_one_to_chunks_expires_the_plain_cookie() -> None:
    written = [n for n, _ in chunk_cookie_values(NAME, "y" * (CHUNK_SIZE + 10))]
    assert stale_chunks({NAME: "old"}, NAME, written) == [NAME]


def test_stale_chunks_cleans_odd_names_but_not_foreign_ones() -> None:
    request = {NAME: "a", f"{NAME}.01": "b", f"{NAME}x": "c", "other": "d", f"{NAME}.10": "e"}
    assert stale_chunks(request, NAME, ()) == [NAME, f"{NAME}.01", f"{NAME}.10"]
    assert stale_chunks(request, NAME, [NAME]) == [f"{NAME}.01", f"{NAME}.10"]
