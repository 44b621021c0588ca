"""Property-based fuzzing of request bodies and parameters (B-H8, B-P5..B-P7, B-J1).

Documented property of ``parse_pairs`` and ``RequestContext.body``: malformed input is a
``RequestError`` (answered 400/413/414/415), never another exception. Through a real app
(WebTest, the top conftest's ``make_app``): any bytes, content type and ``Content-Length``
POSTed to the credentials callback, sign-out and session endpoints get a 2xx/3xx/4xx answer
-- never a 5xx, never a traceback, never the ``Configuration`` error that stands for "an
unexpected exception was caught", and nothing logged with a traceback.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from urllib.parse import quote, urlencode

import pytest
import webtest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from authmw.dispatch.context import MAX_BODY, MAX_FIELDS, RequestError, parse_pairs
from tests.fuzz.common import budget, captured_logs, hostile

# -- parse_pairs ----------------------------------------------------------------------------------

QUERY = st.one_of(
    st.text(max_size=200),
    hostile(["a", "b", "=", "&", "+", "csrfToken", "%", "%zz", "%ff", "%c3%a9", "%00", ";"]),
    st.lists(st.tuples(st.text(max_size=8), st.text(max_size=8)), max_size=8).map(
        lambda pairs: urlencode(pairs)
    ),
)


@budget(1)
@given(QUERY)
def test_B_P5_B_P6_parse_pairs_gives_a_dict_or_a_request_error(text: str) -> None:
    try:
        pairs = parse_pairs(text)
    except RequestError as exc:
        assert exc.status == 400
        return
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in pairs.items())
    assert all("\x00" not in k + v for k, v in pairs.items())
    assert len(pairs) <= MAX_FIELDS


@given(st.dictionaries(st.text(min_size=1, max_size=8), st.text(max_size=8), max_size=10))
def test_B_P6_parse_pairs_round_trips_urlencoded_forms(form: dict[str, str]) -> None:
    text = urlencode({k: v for k, v in form.items()})
    if any("\x00" in k + v for k, v in form.items()) or any(
        "\ud800" <= ch <= "\udfff" for item in form.items() for ch in "".join(item)
    ):
        return  # NUL is refused; lone surrogates cannot be UTF-8 encoded by urlencode anyway
    assert parse_pairs(text) == form


TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=8)


@given(TEXT.filter(bool), TEXT, TEXT)
def test_B_P6_duplicate_keys_are_refused(key: str, first: str, second: str) -> None:
    name = quote(key, safe="")
    text = f"{name}={quote(first, safe='')}&{name}={quote(second, safe='')}"
    with pytest.raises(RequestError) as caught:
        parse_pairs(text)
    assert caught.value.status == 400


# -- through the app ----------------------------------------------------------------------------

ENDPOINTS = ["/api/auth/callback/credentials", "/api/auth/signout", "/api/auth/session"]
FORM = "application/x-www-form-urlencoded"
CONTENT_TYPE = st.one_of(
    st.sampled_from(
        [
            FORM,
            "application/json",
            "application/json; charset=utf-8",
            "APPLICATION/X-WWW-FORM-URLENCODED ; charset=latin-1",
            "text/plain",
            "multipart/form-data; boundary=b",
            "application/jsonx",
            ";",
            "",
        ]
    ),
    st.text(st.characters(max_codepoint=255, exclude_characters="\r\n"), max_size=30),
)
JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
FIELD_NAMES = ["csrfToken", "email", "password", "callbackUrl", "json", "data", "redirect"]


@st.composite
def bodies(draw: st.DrawFn, token: str) -> tuple[str, bytes]:
    """``(content type, body)``: raw bytes, or a form or JSON object of authmw's field names
    (with the real CSRF token or junk); the type usually matches the body, sometimes not."""
    shape = draw(st.integers(0, 5))
    csrf = draw(st.sampled_from([token, token + "x", "", "|", token.upper()]))
    matching = "application/json"
    if shape == 0:
        body, matching = draw(st.binary(max_size=400)), draw(st.sampled_from([FORM, matching]))
    elif shape == 1:
        fields = draw(st.dictionaries(st.sampled_from(FIELD_NAMES), st.text(max_size=20)))
        text = urlencode({**fields, "csrfToken": csrf}) + draw(hostile(["&", "=", "%", "csrf"]))
        body, matching = text.encode("utf-8", "surrogatepass"), FORM
    elif shape == 2:
        data = draw(st.dictionaries(st.sampled_from(FIELD_NAMES), JSON_VALUE, max_size=5))
        data.setdefault("csrfToken", csrf)
        body = json.dumps(data).encode()
    elif shape == 3:
        body = json.dumps(draw(JSON_VALUE)).encode()
    elif shape == 4:  # deep nesting (B-J1)
        depth = draw(st.sampled_from([50, 999, 1_000, 5_000, 10_000, 30_000]))
        opener = draw(st.sampled_from(["[", '{"a":', '{"csrfToken":"x","data":[']))
        closer = draw(st.sampled_from(["", "]" * depth]))
        body = (opener * depth + closer).encode()[:MAX_BODY]
    else:  # huge numbers (B-J1)
        digits = draw(
            st.sampled_from(["1" * 5000, "1e99999", "-" + "9" * 4301, "0." + "1" * 40_000])
        )
        body = json.dumps({"csrfToken": csrf, "data": "@"}).replace('"@"', digits).encode()
    content_type = draw(st.one_of(st.just(matching), st.just(matching), CONTENT_TYPE))
    return content_type, body


CONTENT_LENGTH = st.sampled_from([None, None, None, "", "-1", "abc", "99999999", "+1", "1.5", "0"])


def post(
    app: webtest.TestApp,
    path: str,
    body: bytes,
    content_type: str,
    content_length: str | None,
    accept: str,
) -> webtest.TestResponse:
    request = webtest.TestRequest.blank(path, method="POST")
    request.body = body
    request.environ["CONTENT_TYPE"] = content_type
    if content_length is not None:
        request.environ["CONTENT_LENGTH"] = content_length
    if accept:
        request.environ["HTTP_ACCEPT"] = accept
    length = request.environ.get("CONTENT_LENGTH", "")
    lint, app.lint = app.lint, length.isdigit()  # WebTest's lint refuses what we mean to send
    try:
        return app.do_request(request, status="*")
    finally:
        app.lint = lint


def assert_clean(response: webtest.TestResponse, records: list[logging.LogRecord]) -> None:
    assert 200 <= response.status_int < 500, response.status
    assert b"Traceback" not in response.body
    assert "error=Configuration" not in response.headers.get("Location", "")
    if response.content_type == "application/json" and response.body:
        answer = response.json
        assert not isinstance(answer, dict) or answer.get("error") != "Configuration"
    tracebacks = [r for r in records if r.exc_info or r.levelno >= logging.ERROR]
    assert not tracebacks, [r.getMessage() for r in tracebacks]


@pytest.fixture
def app(make_app: Callable[..., webtest.TestApp]) -> webtest.TestApp:
    return make_app()


@budget(0.75, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_B_H8_B_J1_hostile_posts_get_a_clean_4xx_or_an_answer(
    app: webtest.TestApp,
    csrf_token: Callable[[webtest.TestApp], str],
    sign_in: Callable[..., webtest.TestResponse],
    data: st.DataObject,
) -> None:
    app.reset()  # one browser per example (the fixture outlives the examples)
    if data.draw(st.booleans(), label="signed in"):  # so session update() gets the `data`
        sign_in(app, status=302)
    token = csrf_token(app) if data.draw(st.booleans(), label="with CSRF cookie") else "t"
    path = data.draw(st.sampled_from(ENDPOINTS), label="path")
    content_type, body = data.draw(bodies(token), label="content type, body")
    content_length = data.draw(CONTENT_LENGTH, label="content length")
    accept = data.draw(st.sampled_from(["", "text/html", "application/json", "*/*"]))
    with captured_logs() as records:
        response = post(app, path, body, content_type, content_length, accept)
    assert_clean(response, records)


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(
    "body",
    [
        b"[" * 10_000,
        b"[" * 10_000 + b"]" * 10_000,
        b'{"a":' * 10_000,
        b'{"csrfToken":"x","data":' + b"[" * 30_000,
    ],
    ids=["open-arrays", "closed-arrays", "objects", "data-field"],
)
@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_B_J1_deeply_nested_json_is_a_4xx(
    make_app: Callable[..., webtest.TestApp],
    csrf_token: Callable[[webtest.TestApp], str],
    path: str,
    body: bytes,
    accept: str,
) -> None:
    app = make_app()
    csrf_token(app)
    with captured_logs() as records:
        response = post(app, path, body, "application/json", None, accept)
    assert 400 <= response.status_int < 500, response.status
    assert_clean(response, records)


def test_B_J1_huge_numbers_are_a_4xx(
    make_app: Callable[..., webtest.TestApp], csrf_token: Callable[[webtest.TestApp], str]
) -> None:
    app = make_app()
    token = csrf_token(app)
    for number in ("1" * 5000, "-" + "9" * 4400):
        body = f'{{"csrfToken":"{token}","data":{number}}}'.encode()
        with captured_logs() as records:
            response = post(app, "/api/auth/session", body, "application/json", None, "")
        assert response.status_int == 400, response.status
        assert_clean(response, records)


# -- keeping the fuzzers honest -------------------------------------------------------------------


def test_the_app_fuzzer_reaches_the_handlers(
    make_app: Callable[..., webtest.TestApp], csrf_token: Callable[[webtest.TestApp], str]
) -> None:
    # A well-formed request of each shape the fuzzer builds is answered by the handler itself,
    # so the property above is not only exercising the 4xx exits.
    app = make_app()
    token = csrf_token(app)
    form = urlencode(
        {"csrfToken": token, "email": "alice@example.com", "password": "alice-password"}
    )
    response = post(app, ENDPOINTS[0], form.encode(), FORM, None, "")
    assert response.status_int == 302 and "error" not in response.location
    token = csrf_token(app)  # signing in rotates the CSRF token (S-X2)
    response = post(
        app, ENDPOINTS[2], json.dumps({"csrfToken": token}).encode(), "application/json", None, ""
    )
    assert response.status_int == 200 and response.json["user"]["email"] == "alice@example.com"
    response = post(app, ENDPOINTS[1], urlencode({"csrfToken": token}).encode(), FORM, None, "")
    assert response.status_int == 302 and "csrf=true" not in response.location
