"""Property-based fuzzing of the redirect sanitizer (A-NA1, A-NA3, P-G1..P-G3, A-PY3, 5.4).

Documented property of ``sanitize_redirect``: whatever the input, the result is the base URL or
an absolute URL on the base's origin (``origin_of`` equal), it never raises, and it never holds
whitespace or control characters. Inputs mix oauth2-proxy's open-redirect payloads with
``\\``, ``@``, ``%`` escapes, control characters, Unicode dots and slashes and IDNA labels.
"""

from __future__ import annotations

import re
import string
from urllib.parse import urlsplit

from hypothesis import given
from hypothesis import strategies as st

from authmw.security.redirects import MAX_LENGTH, origin_of, sanitize_redirect
from tests.fuzz.common import OPEN_REDIRECTS, budget, hostile

BASES = [
    "https://app.example",
    "http://127.0.0.1:8000",
    "http://[::1]:8000",
    "https://app.example/p",
]
BASE = st.sampled_from(BASES)
WORDS = [
    "/",
    "//",
    "\\",
    "@",
    ":",
    "https://",
    "http:",
    "https:",
    "javascript:",
    "app.example",
    "evil.example",
    "xn--pp-8kc.example",  # IDNA for a Cyrillic look-alike
    "xn--80ak6aa92e.com",
    "127.0.0.1",
    ":8000",
    ":443",
    "[::1]",
    "..",
    ".",
]
PAYLOAD = st.sampled_from([line for line in OPEN_REDIRECTS if line])


@st.composite
def targets(draw: st.DrawFn) -> str:
    """A corpus payload cut and mixed with hostile fragments, or hostile fragments alone."""
    shape = draw(st.integers(0, 3))
    if shape == 0:
        return draw(st.text(max_size=60))
    noise = hostile(WORDS, max_pieces=8)
    if shape == 1:
        return draw(st.sampled_from(["", "/", "//", "https://app.example", "http://"])) + draw(
            noise
        )
    line = draw(PAYLOAD)
    cut = draw(st.integers(0, len(line)))
    if shape == 2:  # splice noise into a payload
        return line[:cut] + draw(noise) + line[cut:]
    return draw(noise) + line + draw(noise)  # wrap a payload


def assert_on_origin(result: str, base: str) -> None:
    assert result == base or origin_of(result) == origin_of(base), result
    assert result.isascii() and result.isprintable(), result
    assert not any(ch.isspace() or ch == "\\" for ch in result), result
    assert len(result) <= MAX_LENGTH
    if result != base:
        parts = urlsplit(result)
        assert parts.scheme == urlsplit(base).scheme
        assert parts.netloc == urlsplit(base).netloc  # no userinfo, same host and port
        assert parts.path.startswith("/") and not parts.path.startswith("//"), result


@budget(1)
@given(targets(), BASE)
def test_A_NA1_sanitize_redirect_never_leaves_the_origin(url: str, base: str) -> None:
    result = sanitize_redirect(url, base)
    assert_on_origin(result, base)
    assert sanitize_redirect(result, base) == result  # P-G3: re-checked on read, unchanged


@budget(1)
@given(st.text(max_size=300), BASE)
def test_A_NA3_any_string_gives_base_or_same_origin(url: str, base: str) -> None:
    assert_on_origin(sanitize_redirect(url, base), base)


@budget(0.5)
@given(
    st.one_of(st.none(), st.integers(), st.binary(), st.lists(st.text(max_size=3))),
    BASE,
)
def test_P_G2_non_text_targets_give_the_base(url: object, base: str) -> None:
    assert sanitize_redirect(url, base) == base


UNRESERVED = string.ascii_letters + string.digits + "-_~"
LOCAL_PATH = st.lists(st.text(UNRESERVED, min_size=1, max_size=8), max_size=5).map(
    lambda segments: "/" + "/".join(segments)
)
QUERY = st.lists(st.text(UNRESERVED, min_size=1, max_size=6), max_size=3).map("&".join)


@given(LOCAL_PATH, QUERY, BASE)
def test_P_G1_plain_local_paths_are_kept(path: str, query: str, base: str) -> None:
    # The sanitizer is not a constant: an ordinary path on the app survives, as a path on the
    # base origin, with its query, also when written as an absolute same-origin URL.
    expected = origin_of(base) + path + (f"?{query}" if query else "")
    relative = path + (f"?{query}" if query else "")
    assert sanitize_redirect(relative, base) == expected
    assert sanitize_redirect(origin_of(base) + relative, base) == expected


@given(LOCAL_PATH, st.sampled_from(["//", "/\\", "\\\\", "/%2f", "/%5c", "/\t/", "/%09/"]), BASE)
def test_A_NA1_protocol_relative_prefixes_always_give_the_base(
    path: str, prefix: str, base: str
) -> None:
    assert sanitize_redirect(prefix + "evil.example" + path, base) == base


@given(
    st.sampled_from(["https://", "http://", "HTTPS://", "//"]),
    hostile(
        ["app.example", "evil.example", "@", ".", "\u3002", "\uff0e", ":443", "%2e"], max_pieces=6
    ),
    LOCAL_PATH,
)
def test_A_NA1_authorities_other_than_the_base_give_the_base(
    scheme: str, authority: str, path: str
) -> None:
    base = "https://app.example"
    result = sanitize_redirect(scheme + authority + path, base)
    # the authority ends at the first "/", "?" or "#" (a piece may bring one); an empty port is
    # the default port (RFC 3986 §6.2.3), so "app.example:" is the base origin too
    ends_as = re.split(r"[/?#]", authority.lower(), maxsplit=1)[0]
    if ends_as not in ("app.example", "app.example:443", "app.example:"):
        assert result == base
    assert_on_origin(result, base)
