"""Sessions started and ended by the app's own code, and authmw.testing for users' tests."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
import requests
import webtest

from authmw import Auth, AuthError, ConfigurationError
from authmw.adapters.sql import SQLAdapter
from authmw.testing import force_login, session_cookies
from tests.support import serve

SECRET = "programmatic-test-secret-" + "x" * 32
RULES = [{"path": "/admin/**", "roles": ["admin"]}, {"path": "/dashboard/**", "signed_in": True}]


def _jwt(token: dict[str, Any], user: dict[str, Any] | None = None) -> dict[str, Any]:
    if user and "role" in user:
        token["role"] = user["role"]
    return token


def _session(session: dict[str, Any], token: dict[str, Any] | None = None) -> dict[str, Any]:
    if token:
        session["user"]["role"] = token.get("role")
        session["user"]["id"] = token.get("sub")
    return session


def make_auth(**options: Any) -> Auth:
    settings: dict[str, Any] = {
        "secret": SECRET,
        "url": "http://localhost",
        "callbacks": {"jwt": _jwt, "session": _session},
        "events": {
            "sign_in": lambda **event: seen.append(("sign_in", event)),
            "sign_out": lambda **event: seen.append(("sign_out", event)),
        },
        **options,
    }
    return Auth(**settings)


seen: list[Any] = []


def sign_up_app(auth: Auth) -> Callable[..., Iterable[bytes]]:
    """An app whose own /sign-up view signs the new user in, and /leave signs out."""

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = environ["PATH_INFO"]
        if path == "/sign-up":
            headers = auth.sign_in(environ, {"id": "u-7", "email": "new@example.com"})
            start_response("303 See Other", [("Location", "/dashboard"), *headers])
            return [b""]
        if path == "/leave":
            start_response("303 See Other", [("Location", "/"), *auth.sign_out(environ)])
            return [b""]
        body = json.dumps(environ.get("auth.session")).encode()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]

    return auth.wrap(app, rules=RULES)


@pytest.mark.parametrize("strategy", ["jwt", "database"])
def test_the_app_signs_a_new_user_in_and_out(strategy: str, tmp_path: Path) -> None:
    adapter = SQLAdapter(tmp_path / "auth.db", create_tables=True)
    auth = make_auth(adapter=adapter, session={"strategy": strategy})
    app = webtest.TestApp(sign_up_app(auth))
    app.get("/dashboard", status=302)
    app.post("/sign-up", status=303)
    session = app.get("/dashboard", status=200).json
    assert session["user"]["email"] == "new@example.com"
    if strategy == "database":
        assert adapter.get_user("u-7") is not None, "the stored user keeps the app's id"
    else:
        assert session["user"]["id"] == "u-7"
    app.post("/leave", status=303)
    app.get("/dashboard", status=302)
    adapter.close()


def test_sign_in_runs_the_callbacks_and_events() -> None:
    seen.clear()
    refuse = make_auth(callbacks={"sign_in": lambda user: user["email"] != "no@example.com"})
    environ = webtest.TestRequest.blank("/").environ
    with pytest.raises(AuthError) as refused:
        refuse.sign_in(environ, {"id": "1", "email": "no@example.com"})
    assert refused.value.code == "AccessDenied"
    auth = make_auth()
    headers = auth.sign_in(environ, {"id": "1", "email": "ok@example.com", "role": "x"})
    assert {name for name, _ in headers} == {"Set-Cookie"}
    assert any("authmw.session-token=" in value for _, value in headers)
    assert any("authmw.csrf-token=" in value for _, value in headers), "S-X2: rotated"
    assert [name for name, _ in seen] == ["sign_in"]
    assert seen[0][1]["user"]["email"] == "ok@example.com"
    environ["HTTP_COOKIE"] = "; ".join(value.split(";")[0] for _, value in headers)
    cleared = auth.sign_out(environ)
    assert any("session-token=;" in value and "Max-Age=0" in value for _, value in cleared)
    assert [name for name, _ in seen] == ["sign_in", "sign_out"]


@pytest.mark.parametrize("user", [{}, {"id": ""}, {"email": "a@example.com"}, "1"])
def test_a_user_without_an_id_is_refused(user: Any) -> None:
    with pytest.raises(ConfigurationError, match="needs a user mapping with an 'id'"):
        make_auth().sign_in(webtest.TestRequest.blank("/").environ, user)


def test_an_unknown_provider_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="unknown provider 'nope'"):
        make_auth().sign_in(webtest.TestRequest.blank("/").environ, {"id": "1"}, provider="nope")


def test_force_login_webtest() -> None:
    auth = make_auth()
    app = webtest.TestApp(sign_up_app(auth))
    app.get("/admin", status=302)
    force_login(app, auth, {"id": "9", "email": "root@example.com", "role": "admin"})
    assert app.get("/admin", status=200).json["user"]["role"] == "admin"


def test_force_login_requests_session_against_a_real_server() -> None:
    auth = make_auth()
    with serve(sign_up_app(auth)) as base:
        client = requests.Session()
        cookies = force_login(client, auth, {"id": "9", "email": "a@example.com"})
        assert "authmw.session-token" in cookies
        reply = client.get(base + "/dashboard", allow_redirects=False, timeout=5)
        assert reply.status_code == 200 and reply.json()["user"]["id"] == "9"


def test_session_cookies_over_https_have_the_host_prefixed_names() -> None:
    auth = make_auth(url="https://app.example")
    cookies = session_cookies(auth, {"id": "1"})
    assert "__Host-authmw.session-token" in cookies


def test_force_login_flask_and_django_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    flask = pytest.importorskip("flask")
    auth = make_auth()
    web = flask.Flask(__name__)

    @web.get("/who")
    def who() -> Any:
        return flask.jsonify(flask.request.environ.get("auth.session"))

    web.wsgi_app = auth.wrap(web.wsgi_app)  # type: ignore[method-assign]
    client = web.test_client()
    force_login(client, auth, {"id": "5", "email": "f@example.com"})
    assert client.get("/who").json["user"]["email"] == "f@example.com"

    from http.cookies import SimpleCookie

    class DjangoLikeClient:  # Django's test Client keeps a SimpleCookie in .cookies
        cookies: SimpleCookie = SimpleCookie()

    django_client = DjangoLikeClient()
    force_login(django_client, auth, {"id": "5"})
    assert "authmw.session-token" in django_client.cookies
