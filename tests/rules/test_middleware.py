"""RulesMiddleware through real WSGI: WebTest, raw environs and a waitress server on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, cast
from urllib.parse import parse_qs, unquote_to_bytes, urlsplit

import pytest
import webob
import webtest  # type: ignore[import-untyped]

from authmw.rules import Rule, RuleConfigError, RulesMiddleware, rule
from authmw.session.model import Session

SIGN_IN = "/api/auth/signin"
EXPIRES = "2099-01-01T00:00:00.000Z"
ALICE = {"user": {"name": "Alice", "email": "alice@example.com", "image": None, "role": "user"}}
ADMIN = {"user": {"name": "Ada", "email": "ada@example.com", "image": None, "role": "admin"}}
EDITOR = {"user": {"name": "Ed", "email": "ed@example.com", "image": None, "roles": ["editor"]}}
SECRET = b"admin secrets"


def router(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """A case-sensitive app that routes PATH_INFO as most frameworks do (no dot resolution)."""
    segments = [s for s in environ["PATH_INFO"].split("/") if s]
    if segments[:1] == ["admin"]:
        body = SECRET
    elif segments[:1] == ["ADMIN"]:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    else:
        body = json.dumps({"path": environ["PATH_INFO"]}).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("X-App", "yes")])
    return [body]


def with_session(app: Any) -> Any:
    """Test-only outer middleware: ``X-Test-Session`` (JSON) becomes ``environ['auth.session']``."""

    def outer(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        raw = environ.pop("HTTP_X_TEST_SESSION", None)
        environ["auth.session"] = Session({**json.loads(raw), "expires": EXPIRES}) if raw else None
        answer: Iterable[bytes] = app(environ, start_response)
        return answer

    return outer


def make(
    rules: Iterable[Rule | dict[str, Any]] = (), app: Any = router, **options: Any
) -> RulesMiddleware:
    options.setdefault("sign_in_url", SIGN_IN)
    return RulesMiddleware(app, rules, **options)


def client(rules: Iterable[Rule | dict[str, Any]] = (), **options: Any) -> webtest.TestApp:
    return webtest.TestApp(with_session(make(rules, **options)))


def who(session: dict[str, Any], **headers: str) -> dict[str, str]:
    return {"X-Test-Session": json.dumps(session), **headers}


def send(
    app: Any,
    target: str,
    *,
    method: str = "GET",
    session: Any = None,
    path_info: str | None = None,
    script_name: str = "",
    headers: dict[str, str] | None = None,
) -> webob.Response:
    """A request as a server makes it: raw target split at '?', path percent-decoded."""
    path, _, query = target.partition("?")
    request = webob.Request.blank("/", method=method, headers=headers or {})
    decoded = unquote_to_bytes(path).decode("latin-1")
    request.environ["PATH_INFO"] = decoded if path_info is None else path_info
    request.environ["SCRIPT_NAME"] = script_name
    request.environ["QUERY_STRING"] = query
    request.environ["auth.session"] = session
    return request.get_response(app)


def callback_of(response: Any) -> str:
    [value] = parse_qs(urlsplit(str(response.headers["Location"])).query)["callbackUrl"]
    return value


def assert_no_store(response: Any) -> None:
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Vary"] == "Cookie"


PROTECTED = [
    rule("/public/**", public=True),
    rule("/admin/**", roles=["admin"]),
    rule("/dashboard", redirect="/login"),
    rule("/api/**", api=True),
]


# --- the answers --------------------------------------------------------------------------------


def test_anonymous_browser_is_sent_to_sign_in_with_a_relative_callback() -> None:
    response = client([rule("/dashboard/**")]).get("/dashboard/stats", status=302)
    assert response.headers["Location"] == f"{SIGN_IN}?callbackUrl=%2Fdashboard%2Fstats"
    assert "X-App" not in response.headers
    assert_no_store(response)


def test_signed_in_user_passes_and_the_answer_is_untouched() -> None:
    response = client([rule("/dashboard/**")]).get("/dashboard", headers=who(ALICE))
    assert response.headers["X-App"] == "yes" and "Vary" not in response.headers


def test_anonymous_json_client_gets_401_json() -> None:
    response = client([rule("/dashboard")]).get(
        "/dashboard", headers={"Accept": "application/json"}, status=401
    )
    assert response.content_type == "application/json"
    assert response.json["error"] == "SessionRequired" and response.json["message"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert_no_store(response)


@pytest.mark.parametrize(
    ("accept", "status"),
    [
        ("application/json", 401),
        ("application/json, text/html;q=0.5", 401),
        ("text/html;q=0.1, application/json", 401),
        ("application/json;q=0", 302),
        ("text/html, application/json", 302),
        ("text/html, application/json;q=0.9", 302),
        ("*/*", 302),
        ("application/*", 302),  # no preference between the two: a page
        ("text/*, application/json;q=0.5", 302),
        ("", 302),
        ("garbage;;;json", 302),
    ],
)
def test_B_H9_accept_decides_json_or_redirect(accept: str, status: int) -> None:
    client([rule("/d")]).get("/d", headers={"Accept": accept}, status=status)


def test_api_rule_answers_json_whatever_the_client_accepts() -> None:
    app = client(PROTECTED)
    response = app.get("/api/me", headers={"Accept": "text/html"}, status=401)
    assert response.json["error"] == "SessionRequired"
    response = app.get("/api/me", headers=who(ALICE, Accept="text/html"))
    assert response.status_int == 200


def test_signed_in_without_the_role_gets_a_403_page() -> None:
    response = client(PROTECTED).get("/admin/users", headers=who(ALICE), status=403)
    assert response.content_type == "text/html" and "Access denied" in response.text
    assert SECRET not in response.body
    assert_no_store(response)


def test_signed_in_json_client_without_the_role_gets_403_json() -> None:
    headers = who(ALICE, Accept="application/json")
    response = client(PROTECTED).get("/admin/users", headers=headers, status=403)
    assert response.json["error"] == "AccessDenied" and response.json["message"]
    assert_no_store(response)
    response = client([rule("/a", roles=["x"], api=True)]).get("/a", headers=who(ALICE), status=403)
    assert response.json["error"] == "AccessDenied"


def test_forbidden_redirect_replaces_the_403_page_for_browsers() -> None:
    app = client([rule("/admin/**", roles=["admin"], forbidden_redirect="/no-access")])
    response = app.get("/admin", headers=who(ALICE), status=302)
    assert response.headers["Location"] == "/no-access"
    assert_no_store(response)
    app.get("/admin", headers=who(ALICE, Accept="application/json"), status=403)
    app.get("/admin", headers=who(ADMIN), status=200)


def test_rule_redirect_replaces_the_sign_in_url() -> None:
    response = client(PROTECTED).get("/dashboard?tab=2", status=302)
    assert response.headers["Location"] == "/login?callbackUrl=%2Fdashboard%3Ftab%3D2"


def test_absolute_sign_in_url_with_a_query_gets_an_ampersand() -> None:
    app = client([rule("/d")], sign_in_url="https://auth.example/signin?lang=en")
    location = app.get("/d", status=302).headers["Location"]
    assert location == "https://auth.example/signin?lang=en&callbackUrl=%2Fd"


# --- callbackUrl encoding -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "callback"),
    [
        ("/d?a=1&b=2", "/d?a=1&b=2"),
        ("/d?next=%2Fx%3Fy%3D1%26z%3D2", "/d?next=%2Fx%3Fy%3D1%26z%3D2"),
        ("/d/caf%C3%A9?q=%C3%BC", "/d/caf%C3%A9?q=%C3%BC"),
        ("/d/a%20b", "/d/a%20b"),
        ("/d/100%25", "/d/100%25"),
        ("/d/x%23y", "/d/x%23y"),  # every reading lands on /d/**: not ambiguous
        ("/d/x%3Fy", "/d/x%3Fy"),
    ],
)
def test_callback_url_is_the_percent_encoded_original(target: str, callback: str) -> None:
    assert callback_of(send(make([rule("/d/**")]), target)) == callback


def test_callback_url_encodes_raw_unicode_query_and_keeps_script_name() -> None:
    app = make([rule("/app/d/**")])
    request = webob.Request.blank("/")
    request.environ.update(
        SCRIPT_NAME="/app",
        PATH_INFO="/d/é".encode().decode("latin-1"),
        QUERY_STRING="q=ü w&x=1".encode().decode("latin-1"),
    )
    request.environ["auth.session"] = None
    assert callback_of(request.get_response(app)) == "/app/d/%C3%A9?q=%C3%BC%20w&x=1"


def test_callback_url_of_a_path_info_beyond_latin1_is_its_utf8() -> None:
    """A server that hands over real text instead of PEP 3333's latin-1 still gets a URL."""
    callback = callback_of(send(make([rule("/d/**")]), "/", path_info="/d/é€"))
    assert callback == "/d/%C3%A9%E2%82%AC"


@pytest.mark.parametrize("path", ["//evil.example/x", "///evil.example", "/\\evil.example"])
def test_callback_url_is_never_protocol_relative(path: str) -> None:
    callback = callback_of(send(make([rule("/**")]), "/", path_info=path))
    assert callback.startswith("/") and not callback.startswith(("//", "/\\"))


# --- rule kinds, ordering, methods, default, exemptions -----------------------------------------


def test_public_rule_before_a_protected_one_wins() -> None:
    rules = [rule("/admin/help/**", public=True), rule("/admin/**", roles=["admin"])]
    app = client(rules)
    assert app.get("/admin/help/x").status_int == 200
    app.get("/admin/x", status=302)


def test_roles_from_role_or_roles_list() -> None:
    app = client([rule("/edit/**", roles=["editor", "admin"])])
    app.get("/edit", headers=who(EDITOR), status=200)
    app.get("/edit", headers=who(ADMIN), status=200)
    app.get("/edit", headers=who(ALICE), status=403)
    odd = {"user": {"role": ["editor"], "roles": "editor"}}  # wrong types grant nothing
    app.get("/edit", headers=who(odd), status=403)


def test_methods_limit_a_rule() -> None:
    app = client([rule("/posts/**", methods=["POST", "DELETE"])])
    assert app.get("/posts/1").status_int == 200
    app.post("/posts/1", status=302)
    app.delete("/posts/1", headers=who(ALICE), status=200)


def test_B_P9_head_and_options_are_covered() -> None:
    app = client(PROTECTED)
    app.head("/admin", status=302)
    app.options("/admin", status=302)
    get_only = client([rule("/g", methods=["GET"])])
    get_only.head("/g", status=302)  # HEAD is treated as GET


def test_default_signed_in_protects_unmatched_paths() -> None:
    app = client([rule("/", public=True)], default="signed_in")
    assert app.get("/").status_int == 200
    assert callback_of(app.get("/anything", status=302)) == "/anything"
    app.get("/anything", headers=who(ALICE), status=200)


def test_exempt_prefixes_are_never_protected_but_match_whole_segments() -> None:
    app = client([], default="signed_in", exempt_prefixes=["/api/auth/"])
    app.get("/api/auth/signin", status=200)
    app.get("/api/auth", status=200)
    app.get("/api/authx", status=302)
    # The app would read this as a path under /api/auth/, the rules as /admin: refused.
    exempting = make([], default="signed_in", exempt_prefixes=["/api/auth/"])
    assert send(exempting, "/api/auth/../../admin").status_int == 400


def test_predicate_gets_the_session_and_a_request() -> None:
    seen: list[Any] = []

    def allow(session: Any, request: webob.Request) -> bool:
        seen.append((session["user"]["email"], request.path_qs))
        return bool(request.params.get("ok") == "1")

    app = client([rule("/p/**", allow=allow)])
    app.get("/p/x", status=302)  # anonymous: the predicate is not asked
    assert seen == []
    app.get("/p/x?ok=1", headers=who(ALICE), status=200)
    app.get("/p/x?ok=0", headers=who(ALICE), status=403)
    assert seen == [("alice@example.com", "/p/x?ok=1"), ("alice@example.com", "/p/x?ok=0")]


def test_roles_and_predicate_must_both_allow() -> None:
    app = client([rule("/p", roles=["admin"], allow=lambda s, r: r.method == "GET")])
    app.get("/p", headers=who(ADMIN), status=200)
    app.post("/p", headers=who(ADMIN), status=403)
    app.get("/p", headers=who(ALICE), status=403)


def test_A_NA15_predicate_that_raises_denies_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(session: Any, request: Any) -> bool:
        raise RuntimeError("database down")

    with caplog.at_level(logging.ERROR, logger="authmw.rules"):
        response = client([rule("/p", allow=broken)]).get("/p", headers=who(ALICE), status=403)
    assert SECRET not in response.body
    [record] = [r for r in caplog.records if r.name == "authmw.rules"]
    assert record.exc_info and "'/p'" in record.getMessage()
    assert "alice@example.com" not in caplog.text


@pytest.mark.parametrize("verdict", ["yes", 1, None, object()])
def test_A_NA15_predicate_must_return_a_real_true(verdict: Any) -> None:
    client([rule("/p", allow=lambda s, r: verdict)]).get("/p", headers=who(ALICE), status=403)


@pytest.mark.parametrize(
    "session",
    [
        RuntimeError("adapter exploded"),
        {"error": "Configuration"},
        {"user": "alice@example.com"},
        {},
        "signed in",
        True,
    ],
)
def test_A_NA15_anything_but_a_session_is_anonymous(session: Any) -> None:
    app = make([rule("/admin/**", allow=lambda s, r: True)])
    assert send(app, "/admin", session=session).status_int == 302


def test_no_webob_request_on_the_allowed_path(monkeypatch: pytest.MonkeyPatch) -> None:
    class Exploding:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            raise AssertionError("webob.Request built")

    app = make([rule("/public/**", public=True), rule("/admin/**", roles=["admin"])])
    monkeypatch.setattr(webob, "Request", Exploding)
    environ: dict[str, Any] = {"REQUEST_METHOD": "GET", "SCRIPT_NAME": "", "PATH_INFO": "/admin/x"}
    environ["auth.session"] = Session({**ADMIN, "expires": EXPIRES})
    statuses: list[str] = []

    def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        statuses.append(status)

    assert list(app(environ, start)) == [SECRET] and statuses == ["200 OK"]


def test_the_apps_iterable_is_returned_as_is_so_close_reaches_it() -> None:
    class Body:
        closed = False

        def __iter__(self) -> Iterator[bytes]:
            return iter([b"ok"])

        def close(self) -> None:
            Body.closed = True

    body = Body()
    app = make([], app=lambda environ, start_response: (start_response("200 OK", []), body)[1])
    environ = {"REQUEST_METHOD": "GET", "SCRIPT_NAME": "", "PATH_INFO": "/", "auth.session": None}
    assert app(environ, cast(Any, lambda *args: None)) is body


@pytest.mark.parametrize(
    "options",
    [
        {"default": "private"},
        {"sign_in_url": "signin"},
        {"sign_in_url": "//evil.example/signin"},
        {"exempt_prefixes": ["api/auth"]},
        {"exempt_prefixes": ["/../x"]},
    ],
)
def test_bad_options_raise_at_construction(options: dict[str, Any]) -> None:
    with pytest.raises(RuleConfigError):
        make([], **options)


def test_bad_data_rules_raise_at_construction() -> None:
    with pytest.raises(RuleConfigError, match=r"unknown option.*'rolse' \(did you mean 'roles'"):
        make([{"path": "/a", "rolse": ["admin"]}])


# --- evasion ------------------------------------------------------------------------------------

EVASION = [
    # (method, raw request target, status for an anonymous visitor)
    ("GET", "/ADMIN", 404),  # pinned: case-sensitive; the (case-sensitive) app has no such page
    ("GET", "//admin", 302),
    ("GET", "/./admin", 400),
    ("GET", "/x/../admin", 400),
    ("GET", "/%61dmin", 302),
    ("GET", "/admin%2Fsecret", 302),
    ("GET", "/admin;x=1", 302),  # pinned: ';params' are stripped for matching
    ("GET", "/admin;x=1/users", 302),
    ("GET", "/admin/", 302),
    ("GET", "/admin?x=/public", 302),
    ("GET", "/admin%23/public", 400),
    ("GET", "/admin%3Fx=/public", 400),
    ("GET", "/%3F/../admin%23", 400),  # found by the long fuzz run: "/admin" once "#" is cut
    ("GET", "/admin/../public", 400),
    ("GET", "/public/..%2Fadmin", 400),
    ("GET", "/admin/..;/public", 400),
    ("GET", "/public/..;/admin", 400),
    ("GET", "/%2e%2e/admin", 400),
    ("GET", "/admin%00", 400),
    ("GET", "/admin%0d%0a", 400),
    ("GET", "/admin/%ff%fe", 302),
    ("HEAD", "/admin", 302),
    ("OPTIONS", "/admin", 302),
]


@pytest.mark.parametrize(("method", "target", "status"), EVASION)
def test_B_P9_A_OP5_A_OP8_protected_path_evasion(method: str, target: str, status: int) -> None:
    response = send(make(PROTECTED), target, method=method)
    assert response.status_int == status
    assert SECRET not in response.body


def test_B_P9_harmless_dot_segments_still_pass() -> None:
    assert send(make(PROTECTED), "/public/../public/x").status_int == 200
    assert send(make(PROTECTED), "/.well-known/security.txt").status_int == 200


def test_A_OP8_raw_hash_in_path_info_is_refused() -> None:
    assert send(make(PROTECTED), "/", path_info="/admin#/public").status_int == 400


def test_rules_see_script_name_plus_path_info() -> None:
    app = make([rule("/app/admin/**", roles=["admin"])])
    response = send(app, "/admin", script_name="/app")
    assert callback_of(response) == "/app/admin"


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Forwarded-Uri": "/public"},
        {"X-Original-URL": "/public"},
        {"X-Rewrite-URL": "/public"},
        {"X-Forwarded-Prefix": "/public"},
    ],
)
def test_A_OP7_B_H3_rewrite_headers_are_never_used(headers: dict[str, str]) -> None:
    client(PROTECTED).get("/admin", headers=headers, status=302)


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Middleware-Subrequest": "middleware:middleware:middleware"},
        {"X-Authmw-User": "ada@example.com", "X-Authmw-Role": "admin"},
        {"User-Agent": "kube-probe/1.29"},
        {"User-Agent": "ELB-HealthChecker/2.0"},
        {"X-Original-URL": "/"},
    ],
)
def test_A_NA9_client_headers_do_not_skip_the_rules(headers: dict[str, str]) -> None:
    client(PROTECTED).get("/admin", headers=headers, status=302)
    client(PROTECTED).get("/api/x", headers=headers, status=401)


# --- through a real server: the server decodes the request target ------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[int]:
    """One waitress for the module: each case opens its own connection to it."""
    from waitress.server import create_server

    httpd = create_server(with_session(make(PROTECTED)), host="127.0.0.1", port=0, threads=2)
    thread = threading.Thread(target=httpd.run, daemon=True)
    thread.start()
    try:
        yield int(httpd.effective_port)
    finally:
        httpd.close()
        thread.join(timeout=5)


def raw_get(port: int, target: str) -> tuple[int, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        request = f"GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        conn.sendall(request.encode("latin-1"))
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    return int(data.split(b" ", 2)[1]), data


@pytest.mark.parametrize(
    ("target", "statuses"),
    [
        ("/admin", {302}),
        ("//admin", {302}),
        ("/%61dmin", {302}),
        ("/admin%2Fsecret", {302}),
        ("/admin;x=1", {302}),
        ("/admin/", {302}),
        ("/admin?x=/public", {302}),
        ("/admin%23/public", {400}),
        ("/admin#/public", {302}),  # the server drops the fragment
        ("/./admin", {302, 400}),
        ("/x/../admin", {302, 400}),
        ("/admin/../public", {400}),
        ("/%3F/%2E%2E/admin%23", {400}),
        ("/ADMIN", {404}),
    ],
)
def test_B_P9_under_waitress(server: int, target: str, statuses: set[int]) -> None:
    status, data = raw_get(server, target)
    assert status in statuses and SECRET not in data


def test_forbidden_page_rendered_by_the_renderer_handed_over() -> None:
    """The themed 403 comes from the renderer given at construction, not from the environ."""

    class Renderer:
        def forbidden(self, **context: Any) -> str:
            return f"<p>themed 403 for {context['user']}</p>"

    def signed_in(environ: dict[str, Any], start_response: Any) -> Any:
        environ["auth.session"] = Session({"user": {"email": "a@example.com", "role": "user"}})
        return inner(environ, start_response)

    inner = RulesMiddleware(
        lambda e, s: [s("200 OK", []) or b"page"],
        [{"path": "/admin", "roles": ["admin"]}],
        sign_in_url="/api/auth/signin",
        renderer=Renderer(),  # type: ignore[arg-type]
    )
    response = webtest.TestApp(signed_in).get("/admin", status=403)
    assert response.text == "<p>themed 403 for a@example.com</p>"
