"""Property-based fuzzing of path normalisation and of RulesMiddleware (B-P5, B-P9, A-OP8).

Documented property: rules match ``SCRIPT_NAME + PATH_INFO`` after normalisation, and a path
the app behind could read as another rule's path (dot segments, ``;params``, a decoded ``?``
or ``#``) is refused. So an anonymous request for a protected prefix, however it is spelled
(escapes, dot segments, double slashes, parameters), gets the sign-in redirect, a 401 or a
400 -- never the protected app. Matching is case-sensitive and literal by design (``/ADMIN``
and fullwidth letters are other paths), so the model app below is too.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote

import pytest
import webob
from hypothesis import given
from hypothesis import strategies as st

from authmw.rules import RulesMiddleware, normalize_path, rule
from authmw.rules.compile import path_readings
from tests.fuzz.common import budget, pieces

SECRET = b"the protected page"
SIGN_IN = "/api/auth/signin"
CORE = ["admin", "api", "public", "x", ".", "..", "", "..;", ".;x", ";x=1", "~"]
WORDS = [*CORE, "/", "//", ";", "?", "#"]
SEGMENT = st.one_of(
    st.sampled_from(CORE),
    st.sampled_from(CORE),
    st.tuples(st.sampled_from(CORE), pieces(WORDS)).map("".join),
    pieces(WORDS),
)
#: a protected name, possibly dressed up as another one for some reader
PROTECTED = st.tuples(
    st.sampled_from(["admin", "api"]),
    st.sampled_from(["", "", ";x=1", ";", "?", "#", "?x=/", "#/", ".", "/"]),
).map("".join)
DOT_TRICK = st.sampled_from(["..", "..", ".", "..;", "..;x", ".;", "", "..?", "..#", "public/.."])


@st.composite
def paths(draw: st.DrawFn) -> str:
    """Decoded paths (PATH_INFO as text): risky segments, usually with a protected name and a
    dot-segment trick planted at random places (so "/admin/../public" and friends are common)."""
    segments = draw(st.lists(SEGMENT, max_size=5))
    for planted in (PROTECTED, DOT_TRICK, DOT_TRICK):
        if draw(st.booleans()):
            segments.insert(draw(st.integers(0, len(segments))), draw(planted))
    return "/" + "/".join(segments)


PATH = paths()


def _control_free(path: str) -> bool:
    return not any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in path)


@budget(1)
@given(st.one_of(PATH, st.text(max_size=40)))
def test_B_P9_normalize_path_gives_a_canonical_path_or_refuses(path: str) -> None:
    normalized = normalize_path(path)
    if normalized is None:
        return
    assert normalized.startswith("/")
    assert normalize_path(normalized) == normalized  # idempotent
    assert _control_free(normalized)
    assert ";" not in normalized
    segments = normalized.split("/")[1:]
    assert normalized == "/" or all(s and s not in (".", "..") for s in segments)


@budget(1)
@given(PATH)
def test_B_P9_normalize_path_agrees_with_posixpath(path: str) -> None:
    # A second opinion for paths without ";params": POSIX normpath of the same path, where ".."
    # above the root (clamped by normpath) and control characters are refusals instead.
    normalized = normalize_path(path)
    if ";" in path:
        return
    if not _control_free(path):
        assert normalized is None
        return
    depth, escapes = 0, False
    for segment in path.split("/"):
        if segment == "..":
            escapes = escapes or depth == 0
            depth = max(depth - 1, 0)
        elif segment not in ("", "."):
            depth += 1
    if escapes:
        assert normalized is None
    else:
        reference = posixpath.normpath(path).lstrip("/")  # normpath keeps a leading "//"
        assert normalized == "/" + ("" if reference == "." else reference)


@budget(1)
@given(st.one_of(PATH, st.text(max_size=40)))
def test_B_P9_path_readings_start_with_ours_and_are_canonical(path: str) -> None:
    readings = path_readings(path)
    assert readings[0] == normalize_path(path)
    assert readings[0] is None or ";" not in readings[0]
    # the others may keep "." and ".." (or ";params") as names, as some routers do
    for reading in readings:
        if reading is not None:
            assert reading.startswith("/") and "//" not in reading
            assert reading == "/" or not reading.endswith("/")
            assert _control_free(reading)


# -- through RulesMiddleware ----------------------------------------------------------------------


#: Found by this fuzzer and fixed (test_B_P9_params_segment_then_dot_dot_is_refused):
#: ``/x/../admin/;/..`` is "/" to our reading (";" makes an empty segment, ".." pops "admin")
#: but "/admin" to posixpath.normpath (";" is a name, ".." pops it). The model app reads paths
#: that way too; False turns that reading off (how the properties ran while the bug stood).
PARAMS_AS_NAMES_READING = True


def _readings(path: str) -> Iterable[list[str]]:
    """The segment lists an app behind the rules might route *path* by (a deliberately paranoid
    set: plain split, ``;params`` stripped, dot segments resolved (clamped at the root as
    ``posixpath`` does), and any of these after cutting at a decoded ``?`` or ``#``)."""
    variants = {path, path.split("?")[0], path.split("#")[0], path.split("?")[0].split("#")[0]}
    for variant in variants:
        for strip_params in (False, True):
            segments = variant.split("/")
            if strip_params:
                segments = [s.partition(";")[0] for s in segments]
            yield [s for s in segments if s]
            if not strip_params and ";" in variant and not PARAMS_AS_NAMES_READING:
                continue
            resolved: list[str] = []
            for segment in segments:
                if segment == "..":
                    if resolved:
                        resolved.pop()
                elif segment not in ("", "."):
                    resolved.append(segment)
            yield resolved


def model_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Serves the protected page to any reading of the path that lands under /admin or /api."""
    path = environ.get("SCRIPT_NAME", "") + environ["PATH_INFO"]
    protected = any(r[:1] in (["admin"], ["api"]) for r in _readings(path))
    body = SECRET if protected else b"public"
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [body]


RULES = [
    rule("/public/**", public=True),  # listed first: it wins whenever our reading is /public
    rule("/admin/**", roles=["admin"]),
    rule("/api/**", api=True),
]
MIDDLEWARE = RulesMiddleware(model_app, RULES, sign_in_url=SIGN_IN)
METHOD = st.sampled_from(["GET", "HEAD", "POST", "OPTIONS", "DELETE", "get", "PROPFIND"])


def _check_anonymous(response: webob.Response, script_name: str = "") -> None:
    assert SECRET not in response.body, response
    status = response.status_int
    assert status in (200, 302, 400, 401), response.status
    if status == 302:
        assert response.location.startswith(f"{script_name}{SIGN_IN}?callbackUrl=%2F")
    if status == 200:
        assert response.body == b"public"


@budget(1)
@given(PATH, METHOD, st.sampled_from(["", "/app"]))
def test_B_P9_anonymous_never_reaches_a_protected_prefix_by_path_info(
    path: str, method: str, script_name: str
) -> None:
    # PATH_INFO set directly, as decoded text (even text PEP 3333 would not allow: non-latin-1
    # characters, lone surrogates); the next test goes through percent-decoding. Under
    # SCRIPT_NAME "/app" no rule matches "/app/admin", but "/app/../admin" still must not pass.
    environ = webob.Request.blank("/").environ
    environ.update(REQUEST_METHOD=method, SCRIPT_NAME=script_name, PATH_INFO=path)
    environ["auth.session"] = None
    _check_anonymous(webob.Request(environ).get_response(MIDDLEWARE), script_name)


def _encode(path: str, data: st.DataObject) -> str:
    """*path* as a request target: some characters percent-encoded, some left raw (so the
    pieces "%2f", "%2e", "%ff%fe", "%c0%af" reach the server as escapes and are decoded)."""
    out = []
    for ch in path:
        safe = ch.isascii() and ch.isprintable() and ch not in "?# "  # a raw "%" escapes
        if not safe or data.draw(st.integers(0, 3), label="encode") == 0:
            out.append(quote(ch.encode("utf-8", "surrogatepass"), safe=""))
        else:
            out.append(ch)
    return "".join(out)


@budget(1)
@given(PATH, METHOD, st.data())
def test_B_P9_B_P5_anonymous_never_reaches_a_protected_prefix_by_request_target(
    path: str, method: str, data: st.DataObject
) -> None:
    # Through the URL a browser sends: the server percent-decodes once into PATH_INFO (raw bytes
    # as latin-1, so invalid UTF-8 and overlong forms arrive too), the query is cut off.
    target = _encode(path, data)
    query = data.draw(st.sampled_from(["", "?x=/public", "?callbackUrl=//evil.example"]))
    request = webob.Request.blank(target + query, method=method.upper())
    request.environ["auth.session"] = None
    _check_anonymous(request.get_response(MIDDLEWARE))


@given(PATH, st.booleans())
def test_B_P9_signed_in_admin_is_let_through_or_refused_never_redirected(
    path: str, admin: bool
) -> None:
    # The same paths for a signed-in user: the rules never send them to sign in again, and a
    # user without the role still never sees the page.
    environ = webob.Request.blank("/").environ
    environ["PATH_INFO"] = path
    role = "admin" if admin else "user"
    environ["auth.session"] = {"user": {"name": "A", "role": role}, "expires": "2099-01-01"}
    response = webob.Request(environ).get_response(MIDDLEWARE)
    assert response.status_int in (200, 400, 403)
    if not admin and normalize_path(path) is not None:
        normalized = normalize_path(path) or ""
        if normalized == "/admin" or normalized.startswith("/admin/"):
            assert response.status_int in (400, 403) and SECRET not in response.body


def normpath_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """An app that resolves its path with posixpath.normpath (static files, many routers)."""
    protected = posixpath.normpath(environ["PATH_INFO"]).split("/")[1:2] == ["admin"]
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [SECRET if protected else b"public"]


@pytest.mark.parametrize("target", ["/x/../admin/;/..", "/x/../admin/;x=1/..", "/~/../admin/;a/.."])
def test_B_P9_params_segment_then_dot_dot_is_refused(target: str) -> None:
    middleware = RulesMiddleware(normpath_app, RULES, sign_in_url=SIGN_IN)
    request = webob.Request.blank(target)
    request.environ["auth.session"] = None
    response = request.get_response(middleware)
    assert SECRET not in response.body
    assert response.status_int in (302, 400)
