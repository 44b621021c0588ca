"""Cross-site POST detection: checklist S-X3, S-X4, B-H6."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from authmw.security.origin import is_cross_site_request

ALLOWED = "https://app.example"


def env(**headers: object) -> dict[str, object]:
    return {"REQUEST_METHOD": "POST", **{f"HTTP_{k.upper()}": v for k, v in headers.items()}}


@pytest.mark.parametrize("value", ["cross-site", "Cross-Site", " cross-site "])
def test_S_X3_sec_fetch_site_cross_site_is_rejected_even_with_right_origin(value: str) -> None:
    assert is_cross_site_request(env(sec_fetch_site=value, origin=ALLOWED), ALLOWED)


@pytest.mark.parametrize("value", ["same-origin", "same-site", "none"])
def test_S_X3_other_fetch_sites_defer_to_origin(value: str) -> None:
    assert not is_cross_site_request(env(sec_fetch_site=value, origin=ALLOWED), ALLOWED)
    assert is_cross_site_request(env(sec_fetch_site=value, origin="https://x.example"), ALLOWED)


def test_S_X4_exact_origin_is_allowed() -> None:
    assert not is_cross_site_request(env(origin=ALLOWED), ALLOWED)
    assert not is_cross_site_request(env(origin="http://127.0.0.1:8000"), "http://127.0.0.1:8000")


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "null",
        "https://app.example.evil.example",
        "http://app.example",
        "https://app.example:8443",
        "https://app.example/",
        "https://APP.EXAMPLE",
        "https://app.example ",
        "",
    ],
)
def test_B_H6_S_X4_origin_mismatch_is_cross_site(origin: str) -> None:
    assert is_cross_site_request(env(origin=origin), ALLOWED)
    # a matching Referer does not rescue a mismatching Origin
    assert is_cross_site_request(env(origin=origin, referer=ALLOWED + "/signin"), ALLOWED)


def test_S_X4_referer_fallback() -> None:
    assert not is_cross_site_request(env(referer="https://app.example/api/auth/signin"), ALLOWED)
    assert not is_cross_site_request(env(referer="https://app.example:443/x?y#z"), ALLOWED)
    for referer in (
        "https://evil.example/",
        "https://app.example.evil.example/",
        "https://app.example@evil.example/",
        "http://app.example/",
        "not a url",
        "x" * 65536,
    ):
        assert is_cross_site_request(env(referer=referer), ALLOWED), referer[:40]


def test_S_X4_neither_header_relies_on_the_token() -> None:
    assert not is_cross_site_request(env(), ALLOWED)
    assert not is_cross_site_request(env(referer=""), ALLOWED)


def test_S_X4_allowed_origin_is_normalized() -> None:
    assert not is_cross_site_request(env(origin=ALLOWED), "https://app.example/prefix/")
    assert not is_cross_site_request(env(origin=ALLOWED), "https://App.Example:443")


def test_S_X4_unusable_allowed_origin_fails_closed() -> None:
    assert is_cross_site_request(env(origin=""), "")
    assert is_cross_site_request(env(origin="null"), "not a url")
    assert is_cross_site_request(env(referer="https://app.example/"), "")


@pytest.mark.parametrize("value", [None, 1, b"https://app.example", ["https://app.example"]])
def test_B_H6_non_str_header_values_never_raise(value: object) -> None:
    environ = {"HTTP_ORIGIN": value, "HTTP_REFERER": value, "HTTP_SEC_FETCH_SITE": value}
    expected = value is not None  # a present but unusable Origin counts as foreign
    assert is_cross_site_request(environ, ALLOWED) is expected


# Origin: null arrives on same-origin form POSTs from pages served with Referrer-Policy:
# no-referrer (a host app's own sign-in page, say). The browser's Sec-Fetch-Site then tells.
@pytest.mark.parametrize("site", ["same-origin", "none", "Same-Origin"])
def test_S_X4_null_origin_vouched_for_by_fetch_metadata_is_allowed(site: str) -> None:
    assert not is_cross_site_request(env(sec_fetch_site=site, origin="null"), ALLOWED)


@pytest.mark.parametrize("site", ["same-site", "cross-site", "", "bogus"])
def test_S_X4_null_origin_without_a_vouching_fetch_site_is_refused(site: str) -> None:
    assert is_cross_site_request(env(sec_fetch_site=site, origin="null"), ALLOWED)
    assert is_cross_site_request(env(origin="null"), ALLOWED)


def test_S_X4_same_site_sibling_must_show_our_exact_origin() -> None:
    sibling = "https://blog.app.example"
    assert is_cross_site_request(env(sec_fetch_site="same-site", origin=sibling), ALLOWED)
    assert is_cross_site_request(env(sec_fetch_site="same-origin", origin=sibling), ALLOWED), (
        "a same-origin claim does not override a foreign Origin"
    )


def test_S_X4_refusal_log_names_both_origins(
    make_app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.support import csrf_token

    app = make_app()
    form = {"csrfToken": csrf_token(app), "email": "alice@example.com", "password": "x"}
    with caplog.at_level(logging.WARNING, logger="authmw"):
        app.post(
            "/api/auth/callback/credentials", form, headers={"Origin": "http://localhost:8000"}
        )
    (line,) = [r.getMessage() for r in caplog.records if "cross-site" in r.getMessage()]
    assert "'http://localhost:8000'" in line
    assert "configured origin http://localhost" in line
