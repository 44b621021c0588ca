"""The redirect sanitizer: checklist P-G1/P-G2, A-NA1/A-NA3, A-OP1..3, A-PS7, A-PY3, section 5.4."""

from __future__ import annotations

import random
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from authmw.security.redirects import (
    MAX_LENGTH,
    default_redirect,
    origin_of,
    sanitize_redirect,
)

BASE = "https://app.example"
LOCAL = "http://127.0.0.1:8000"
CORPUS = (Path(__file__).parent.parent / "data" / "openredirects.txt").read_text("utf-8")
CORPUS_LINES = CORPUS.split("\n")[:559]
CORPUS_HOSTS = {"www.whitelisteddomain.tld", "localdomain.pw", "google.com", "example.com"}


def assert_safe(result: str, base: str) -> None:
    """Same origin as *base* (or *base* itself), http(s), header-safe, stable on re-reading."""
    assert result == base or origin_of(result) == origin_of(base), result
    parts = urlsplit(result)
    assert parts.scheme in ("http", "https")
    assert parts.hostname == urlsplit(base).hostname
    assert parts.hostname not in CORPUS_HOSTS
    assert result.isascii() and result.isprintable()
    assert not any(ch in result for ch in " \t\r\n\v\f\\")
    assert len(result) <= MAX_LENGTH
    assert sanitize_redirect(result, base) == result  # P-G3: re-validated on read, unchanged


# -- section 5.4, row by row ---------------------------------------------------------------

ALLOWED = [
    ("/dashboard?x=1", "https://app.example/dashboard?x=1"),
    ("/dashboard#frag", "https://app.example/dashboard#frag"),
    ("https://app.example/dash", "https://app.example/dash"),
    ("/../../dashboard", "https://app.example/dashboard"),
    ("/", "https://app.example/"),
    ("https://app.example", "https://app.example"),
    ("https://app.example?x=1", "https://app.example/?x=1"),
    ("HTTPS://APP.EXAMPLE:443/a/./b/../c", "https://app.example/a/c"),
    ("/a/b/..", "https://app.example/a/"),
    ("/dashboard/", "https://app.example/dashboard/"),
    ("/%2e%2e/dashboard", "https://app.example/%2e%2e/dashboard"),
    # UTF-8 CR/LF look-alikes stay percent-encoded on this origin
    ("/%E5%98%8A%E5%98%8D", "https://app.example/%E5%98%8A%E5%98%8D"),
    # questionable characters in path, query and fragment are percent-encoded
    ('/café x?q=a b&c=<>"#f#g', "https://app.example/caf%C3%A9%20x?q=a%20b&c=%3C%3E%22#f%23g"),
    ("/a%zz?b=%", "https://app.example/a%25zz?b=%25"),
]

REJECTED = [
    # downgrade, port
    "http://app.example/dash",
    "https://app.example:8443/",
    # other hosts, scheme-relative
    "https://evil.example",
    "//evil.example",
    "///evil.example",
    "////evil.example",
    # backslashes
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/./\\evil.example",
    "/..//evil.example",
    # raw and encoded whitespace between the slashes
    "/\t/evil.example",
    "/%09/evil.example",
    "/%0a/evil.example",
    "/\v\\evil.example",
    # percent-encoded separators: decode once, then validate
    "/%2F%2Fevil.example",
    "%2F%2Fevil.example",
    "/%5Cevil.example",
    # scheme without authority, numeric host
    "https:evil.example",
    "https:/evil.example",
    "http:\\\\evil.example",
    "https:999999999",
    # userinfo and tricks around it
    "https://app.example@evil.example",
    "https://evil.example\\@app.example",
    "https://evil.example#@app.example",
    "https://evil.example?@app.example",
    # look-alike hosts
    "https://app.example.evil.example",
    "https://evil.example/app.example",
    "https://app.example%2eevil.example",
    "https://app.example%00.evil.example",
    "https://[app.example]/",
    # Unicode look-alikes
    "https://\u0430pp.example",
    "\uff0f\uff0fevil.example",
    "https://app.example\u3002evil.example",
    # dangerous schemes
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "\x01javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>",
    "vbscript:msgbox",
    "file:///etc/passwd",
    # header injection
    "/%0d%0aSet-Cookie:%20x=y",
    "/\r\nLocation: https://evil.example",
    # malformed
    "http://[::1",
    "http://%zz",
    "https://a:b:c@",
    "https://a:b:c:d@",
    "",
    "x" * 65536,
]


@pytest.mark.parametrize(("url", "expected"), ALLOWED)
def test_P_G1_same_origin_targets_are_kept(url: str, expected: str) -> None:
    assert sanitize_redirect(url, BASE) == expected
    assert_safe(expected, BASE)


@pytest.mark.parametrize("url", REJECTED, ids=lambda u: repr(u[:40]))
def test_P_G1_section_5_4_payloads_fall_back_to_base(url: str) -> None:
    assert sanitize_redirect(url, BASE) == BASE


@pytest.mark.parametrize(
    "url",
    ["/\x00/evil.example", "/%00", "/a\x7fb", "/\u200bx", "/\u202ex", "/\u2028x", "/\ud800x"],
    ids=repr,
)
def test_P_G1_control_and_invisible_characters_are_rejected(url: str) -> None:
    assert sanitize_redirect(url, BASE) == BASE


@pytest.mark.parametrize(
    "url",
    [
        "/%EF%BC%8F%EF%BC%8Fevil.example",  # encoded fullwidth solidi: "//" after NFKC
        "/\uff0fevil.example",
        "/%EF%BC%BCevil.example",  # fullwidth reverse solidus
        "/a/..%2F%2Fevil.example",
        "//../x",  # protocol-relative with host "..": dot removal must not turn it local
        "//./x",
        "/%2F../x",
        "https://app.example//../x",
    ],
)
def test_P_G1_decoded_and_normalized_path_must_stay_local(url: str) -> None:
    assert sanitize_redirect(url, BASE) == BASE


# -- corpus ---------------------------------------------------------------------------------


def test_A_OP3_corpus_file_is_the_pinned_copy() -> None:
    assert len(CORPUS_LINES) == 559
    assert CORPUS_LINES[0] == ""


@pytest.mark.parametrize("base", [BASE, LOCAL])
def test_P_G1_A_OP3_openredirects_corpus_never_leaves_the_origin(base: str) -> None:
    for line in CORPUS_LINES:
        result = sanitize_redirect(line, base)
        assert_safe(result, base)


@pytest.mark.parametrize("base", [BASE, LOCAL])
def test_P_G1_corpus_lines_that_are_not_local_paths_give_base(base: str) -> None:
    # Only single-slash paths may survive (as paths on the base origin); every absolute,
    # scheme-relative, backslash or scheme-like line gives exactly the base URL.
    kept = 0
    for line in CORPUS_LINES:
        result = sanitize_redirect(line, base)
        if not line.startswith("/") or line.startswith(("//", "/\\")):
            assert result == base, line
        elif result != base:
            kept += 1
            assert urlsplit(result).netloc == urlsplit(base).netloc, line
    assert 0 < kept < 60  # harmless local paths such as "/http://example.com"


def test_A_OP1_backslash_open_redirect() -> None:
    for url in ("/\\evil.com", "/\\/evil.com", "/\\\\evil.com", "https://app.example\\evil.com"):
        assert sanitize_redirect(url, BASE) == BASE


def test_A_OP2_encoded_and_raw_whitespace_between_slashes() -> None:
    for ws in ("%09", "%0a", "%0d", "%0b", "\t", "\n", "\r", "\v", "%20%09"):
        for url in (f"/{ws}/evil.com", f"//{ws}evil.com", f"/{ws}\\evil.com"):
            assert sanitize_redirect(url, BASE) == BASE, url


def test_A_NA1_off_site_callback_url_gives_base() -> None:
    assert sanitize_redirect("https://evil.example/", BASE) == BASE
    assert default_redirect(url="https://evil.example/", base_url=BASE) == BASE


def test_A_PS7_triple_slash_and_values_that_make_urllib_raise() -> None:
    for url in ("///evil.com", "http://[::1", "http://[evil.com]", "https://a]b", "http://x:99999"):
        assert sanitize_redirect(url, BASE) == BASE


def test_A_PY3_urllib_parse_is_not_a_validator() -> None:
    for url in (
        " //evil.example",
        "\x01https://evil.example",
        "https://[evil.example]/",
        "http:evil.example",
        "https:999999999",
        "\x00/dashboard",
        " /dashboard",
    ):
        assert sanitize_redirect(url, BASE) == BASE, url


# -- P-G2 / A-NA3: never raises, always fast --------------------------------------------------


@pytest.mark.parametrize("url", [None, 1, b"/dashboard", ["/x"], {"a": 1}, object(), 3.5])
def test_P_G2_non_str_input_gives_base(url: object) -> None:
    assert sanitize_redirect(url, BASE) == BASE


def test_P_G2_random_inputs_never_raise_and_stay_local() -> None:
    rng = random.Random(20240611)
    alphabet = [
        *"/\\.:@?#%&=;,aZ09-_ \t\r\n\x00\x0b",
        *("%2f", "%5c", "%0a", "%2e", "//", "http://", "https://", "app.example"),
        *("evil.example", "\u0430", "\uff0f", "\u3002", "\ud800", "\u202e", "\u00e9"),
        *("[", "]", "::1"),
    ]
    for _ in range(3000):
        prefix = rng.choice(["", "/", "https://app.example", "http://", "//"])
        url = prefix + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        assert_safe(sanitize_redirect(url, BASE), BASE)


def test_A_NA3_malformed_and_huge_inputs_are_fast() -> None:
    inputs = [
        "http://[::1",
        "http://%zz",
        "https://a:b:c:d@",
        "x" * 65536,
        "/" + "a" * 65535,
        "/" + "%2e%2e/" * 10000,
        "https://" + "a" * 65536,
        "/" + "\u00e9" * 2000,
        "/" + "../" * 682,
    ]
    for url in inputs:
        start = time.perf_counter()
        for _ in range(20):
            result = sanitize_redirect(url, BASE)
        elapsed = (time.perf_counter() - start) / 20
        assert elapsed < 0.02, (url[:30], elapsed)  # generous: catches blow-ups, not noise
        assert_safe(result, BASE)


def test_P_G2_corpus_is_under_a_millisecond_per_target() -> None:
    start = time.perf_counter()
    for line in CORPUS_LINES:
        sanitize_redirect(line, BASE)
    assert (time.perf_counter() - start) / len(CORPUS_LINES) < 0.02


def test_P_G1_over_long_targets_fall_back() -> None:
    assert sanitize_redirect("/" + "a" * (MAX_LENGTH - 1), BASE) == BASE  # too long with origin
    fits = "/" + "a" * (MAX_LENGTH - len(BASE) - 1)
    assert sanitize_redirect(fits, BASE) == BASE + fits
    assert sanitize_redirect("/" + "\u00e9" * 1000, BASE) == BASE  # too long once encoded


# -- base URLs ------------------------------------------------------------------------------


def test_P_G1_local_base_with_port() -> None:
    assert sanitize_redirect("/x?y=1", LOCAL) == "http://127.0.0.1:8000/x?y=1"
    assert sanitize_redirect("http://127.0.0.1:8000/x", LOCAL) == "http://127.0.0.1:8000/x"
    for url in (
        "http://127.0.0.1/x",
        "http://127.0.0.1:80/x",
        "https://127.0.0.1:8000/x",
        "http://localhost:8000/x",
        "http://2130706433:8000/",
        "http://127.1:8000/",
    ):
        assert sanitize_redirect(url, LOCAL) == LOCAL


def test_P_G1_base_with_path_prefix_joins_paths_to_the_origin() -> None:
    base = "https://app.example/prefix"
    assert sanitize_redirect("/dashboard", base) == "https://app.example/dashboard"
    assert sanitize_redirect("https://app.example/other", base) == "https://app.example/other"
    assert sanitize_redirect("//evil.example", base) == base


def test_P_G2_unusable_base_url_is_returned_as_is() -> None:
    assert sanitize_redirect("/dashboard", "not a url") == "not a url"
    assert sanitize_redirect("/dashboard", "") == ""


def test_P_G1_ipv6_base() -> None:
    base = "http://[::1]:8000"
    assert sanitize_redirect("/x", base) == "http://[::1]:8000/x"
    assert sanitize_redirect("http://[::1]:8000/y", base) == "http://[::1]:8000/y"
    assert sanitize_redirect("http://[::2]:8000/y", base) == base


# -- default_redirect and origin_of -----------------------------------------------------------


def test_A_NA1_default_redirect_callback_semantics() -> None:
    assert default_redirect(url="/x", base_url=BASE) == "https://app.example/x"
    assert default_redirect(url="https://app.example/y", base_url=BASE) == "https://app.example/y"
    assert default_redirect(url="https://other.example/", base_url=BASE) == BASE
    assert default_redirect(url="/x", base_url=BASE, token=None, extra=1) == BASE + "/x"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://app.example", "https://app.example"),
        ("https://App.Example/path?q#f", "https://app.example"),
        ("https://app.example:443/", "https://app.example"),
        ("http://app.example:80", "http://app.example"),
        ("http://127.0.0.1:8000/", "http://127.0.0.1:8000"),
        ("http://[::1]:08000", "http://[::1]:8000"),
        ("https://app.example:/x", "https://app.example"),
        ("https://evil.example\\@app.example", "https://evil.example"),
        ("https://user@app.example", ""),
        ("https://app.example:99999", ""),
        ("https://app.example:0", ""),
        ("https://\u0430pp.example", ""),
        ("ftp://app.example", ""),
        ("null", ""),
        ("", ""),
    ],
)
def test_S_X4_origin_of(url: str, expected: str) -> None:
    assert origin_of(url) == expected
