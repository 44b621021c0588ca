"""Property-based fuzzing of the Cookie header parser and of cookie chunking (B-C1, B-C9..B-C12).

Documented properties: ``parse_cookie_header`` never raises and drops a name sent twice with
different values; ``join_chunks`` returns the value ``chunk_cookie_values`` stored, and for any
hostile set of cookie names returns ``None`` or exactly the canonical, complete chunk set.
"""

from __future__ import annotations

import string

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from authmw.session.chunks import (
    MAX_CHUNKS,
    chunk_cookie_values,
    join_chunks,
    stale_chunks,
)
from authmw.session.cookies import format_set_cookie, parse_cookie_header
from tests.fuzz.common import budget, hostile

TOKEN_CHARS = string.ascii_letters + string.digits + "!#$&'*+-.^_`|~"  # RFC 9110 tchar minus %
COOKIE_NAME = st.text(TOKEN_CHARS, min_size=1, max_size=12)
#: what a WSGI server hands over: any byte, as latin-1 text
LATIN1 = st.binary(max_size=300).map(lambda raw: raw.decode("latin-1"))
HEADER = st.one_of(
    st.text(max_size=300),
    LATIN1,
    hostile(["a", "b", "=", "; ", '"', "authjs.session-token", ".0", "%3B", "%3D"], max_pieces=30),
)
#: values format_set_cookie can write (it refuses nothing; surrogates cannot be UTF-8 encoded)
VALUE = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)


@budget(1)
@given(HEADER)
def test_B_C1_B_C11_parse_cookie_header_never_raises(header: str) -> None:
    cookies = parse_cookie_header(header)
    assert isinstance(cookies, dict)
    for name, value in cookies.items():
        assert isinstance(name, str) and isinstance(value, str)
        assert name and name == name.strip()
        assert ";" not in name and "=" not in name


@budget(0.5)
@given(HEADER)
def test_B_C1_parse_cookie_header_is_stable_under_whitespace_around_pairs(header: str) -> None:
    # Spaces around "; " separators and around "=" never change the result.
    spaced = ";".join(f"  {part.strip()}  " for part in header.split(";"))
    assert parse_cookie_header(spaced) == parse_cookie_header(header)


@given(st.dictionaries(COOKIE_NAME, VALUE, max_size=6), st.randoms(use_true_random=False))
def test_B_C1_written_cookies_read_back_exactly(cookies: dict[str, str], rnd: object) -> None:
    # Whatever a value holds (";", "=", quotes, "%", spaces, emoji), what authmw writes reads back
    # as that value and cannot smuggle in a second cookie.
    pairs = [
        format_set_cookie(n, v, max_age=None, secure=True).split(";")[0] for n, v in cookies.items()
    ]
    rnd.shuffle(pairs)  # type: ignore[attr-defined]
    assert parse_cookie_header("; ".join(pairs)) == cookies


@given(COOKIE_NAME, VALUE, VALUE, HEADER, HEADER)
def test_B_C10_same_name_with_different_values_is_dropped(
    name: str, first: str, second: str, before: str, after: str
) -> None:
    assume(first != second)
    one = format_set_cookie(name, first, max_age=None, secure=True).split(";")[0]
    two = format_set_cookie(name, second, max_age=None, secure=True).split(";")[0]
    header = f"{before}; {one}; {after}; {two}"
    assert name not in parse_cookie_header(header)
    # the same value twice is harmless
    assert parse_cookie_header(f"{one}; {one}")[name] == first


@budget(0.25)
@given(st.text('\\"%;= ', min_size=1, max_size=8), st.sampled_from([1, 7, 4096, 8192]))
def test_B_C12_A_PY2_backslash_and_quote_runs_parse(run: str, size: int) -> None:
    # http.cookies is quadratic on these (CVE-2024-7592); this parser is one split.
    header = "a=" + (run * (size // len(run) + 1))[:size]
    assert isinstance(parse_cookie_header(header), dict)


# -- chunks -------------------------------------------------------------------------------------

NAME = st.sampled_from(["authjs.session-token", "__Secure-next-auth.session-token", "s", "a.b"])


@budget(1)
@given(NAME, st.text(min_size=1, max_size=400), st.integers(1, 64))
def test_chunking_then_joining_gives_the_value_back(name: str, value: str, size: int) -> None:
    if len(value) > size * MAX_CHUNKS:
        with pytest.raises(ValueError):
            chunk_cookie_values(name, value, size)
        return
    pairs = chunk_cookie_values(name, value, size)
    assert 1 <= len(pairs) <= MAX_CHUNKS
    assert all(len(v) <= size for _, v in pairs)
    assert join_chunks(dict(pairs), name) == value
    # order on the wire does not matter, foreign cookies sharing the prefix are ignored
    foreign = {name + "x": "1", name + ".x": "2", name + ".-1": "3", "z" + name: "4"}
    assert join_chunks(dict([*reversed(pairs), *foreign.items()]), name) == value


@given(NAME, st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=200))
def test_chunks_survive_the_cookie_header(name: str, value: str) -> None:
    # write each chunk as Set-Cookie would, send them back in one Cookie header, join
    pairs = chunk_cookie_values(name, value, 25)
    header = "; ".join(
        format_set_cookie(n, v, max_age=None, secure=True).split(";")[0] for n, v in pairs
    )
    assert join_chunks(parse_cookie_header(header), name) == value


def _expected_join(cookies: dict[str, str], name: str, max_chunks: int) -> str | None:
    """The spec, written as set arithmetic: the plain cookie alone, or exactly ``.0``..``.n-1``."""
    prefix = name + "."
    chunk_names = {
        k
        for k in cookies
        if k.startswith(prefix) and k[len(prefix) :].isascii() and k[len(prefix) :].isdigit()
    }
    if not chunk_names:
        return cookies.get(name) or None
    canonical = [f"{prefix}{i}" for i in range(len(chunk_names))]
    if name in cookies or set(canonical) != chunk_names or len(canonical) > max_chunks:
        return None
    values = [cookies[k] for k in canonical]
    return "".join(values) if all(values) else None


SUFFIX = st.one_of(
    st.sampled_from(["", ".0", ".1", ".2", ".7", ".8", ".00", ".01", ".-1", ".+1", ". 1", ".1.0"]),
    st.sampled_from([".\u0661", ".\u00b2", ".\uff11", ".99999", ".10", ".x", "x", "0"]),
    st.integers(0, 12).map(lambda i: f".{i}"),
    st.text(max_size=3),
)


@budget(1)
@given(
    NAME,
    st.dictionaries(SUFFIX, st.text(max_size=3), max_size=12),
    st.integers(1, MAX_CHUNKS),
)
def test_B_C9_hostile_chunk_names_orders_and_gaps_never_raise(
    name: str, suffixes: dict[str, str], max_chunks: int
) -> None:
    cookies = {name + suffix: value for suffix, value in suffixes.items()}
    joined = join_chunks(cookies, name, max_chunks=max_chunks)
    assert joined == _expected_join(cookies, name, max_chunks)
    stale = stale_chunks(cookies, name, written_names=[name + ".0"], limit=5)
    assert len(stale) <= 5 and name + ".0" not in stale
    assert all(n in cookies and (n == name or n.startswith(name + ".")) for n in stale)


@budget(0.1)
@given(NAME, st.integers(MAX_CHUNKS + 1, 400), st.randoms(use_true_random=False))
def test_B_C9_too_many_chunks_is_anonymous(name: str, count: int, rnd: object) -> None:
    names = [f"{name}.{i}" for i in range(count)]
    rnd.shuffle(names)  # type: ignore[attr-defined]
    assert join_chunks(dict.fromkeys(names, "v"), name) is None
