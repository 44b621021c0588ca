"""next-auth v4's browser client (next-auth/react 4.24), unchanged, against authmw.

Every expectation is what the client returns when it talks to NextAuth v4 itself (read from
next-auth's ``src/react/index.tsx`` and ``src/client/_utils.ts``): ``getSession`` maps ``{}`` to
``null``, ``signIn(..., {redirect: false})`` returns ``{error, status, ok, url}`` with ``error``
parsed from the answered URL, ``signOut({redirect: false})`` returns the answered ``{url}``.
No message of the client's logger (``[next-auth]...``) may appear in the console (the
``client_page`` fixture checks it after each test).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

# The fixtures' types (ClientPage, ClientServer) live in conftest.py, which a test module
# cannot import under --import-mode=importlib; they are annotated Any here.
ClientPage = ClientServer = Any

ISO_MS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
ALICE = {"name": "Alice", "email": "alice@example.com"}

SIGN_IN = """async ([password, options]) => window.nextAuth.signIn(
    "credentials", {redirect: false, email: "alice@example.com", password, ...options})"""
FETCH_SESSION = "async () => (await fetch('/api/auth/session')).json()"


def sign_in(view: ClientPage, password: str | None = None, **options: Any) -> Any:
    """``signIn("credentials", {redirect: false, ...})`` as Alice, by default rightly."""
    return view.call(SIGN_IN, [password or view.server.password, options])


def test_use_session_loading_unauthenticated_authenticated_without_reload(
    client_page: ClientPage,
) -> None:
    view = client_page
    view.wait_status("unauthenticated")
    loaded_at = view.call("() => window.nextAuth.loadedAt")
    assert view.statuses() == ["loading", "unauthenticated"]

    assert sign_in(view)["ok"] is True
    view.wait_status("authenticated")
    assert view.statuses() == ["loading", "unauthenticated", "authenticated"]
    assert view.call("() => window.nextAuth.loadedAt") == loaded_at  # the same document
    shown = view.page.text_content("#session")
    assert shown is not None and '"email":"alice@example.com"' in shown


def test_get_session_null_when_anonymous_then_the_session(client_page: ClientPage) -> None:
    view = client_page
    assert view.call("() => window.nextAuth.getSession()") is None
    sign_in(view)
    session = view.call("() => window.nextAuth.getSession()")
    # NextAuth v4's default session: the user has no image, so `image` is absent.
    assert session["user"] == ALICE
    assert set(session) == {"user", "expires"} and ISO_MS.fullmatch(session["expires"])
    assert view.call(FETCH_SESSION)["user"] == session["user"]


def test_S_X1_get_csrf_token_is_the_token_in_the_csrf_cookie(client_page: ClientPage) -> None:
    view = client_page
    token = view.call("() => window.nextAuth.getCsrfToken()")
    assert isinstance(token, str) and re.fullmatch(r"[0-9a-f]{64}", token)
    cookie = view.cookie("csrf-token")
    # the cookie value is URL-encoded, as NextAuth's (cookie.serialize) is: token%7Chash
    assert cookie is not None and unquote(cookie).split("|")[0] == token
    assert view.call("() => window.nextAuth.getCsrfToken()") == token  # reused while valid


def test_get_providers(client_page: ClientPage, client_server: ClientServer) -> None:
    base = client_server.origin + "/api/auth"
    assert client_page.call("() => window.nextAuth.getProviders()") == {
        "credentials": {
            "id": "credentials",
            "name": "Credentials",
            "type": "credentials",
            "signinUrl": f"{base}/signin/credentials",
            "callbackUrl": f"{base}/callback/credentials",
        },
        "email": {
            "id": "email",
            "name": "Email",
            "type": "email",
            "signinUrl": f"{base}/signin/email",
            "callbackUrl": f"{base}/callback/email",
        },
    }


def test_sign_in_credentials_right_password(
    client_page: ClientPage, client_server: ClientServer
) -> None:
    view = client_page
    result = sign_in(view, callbackUrl="/dashboard")
    assert result == {
        "error": None,
        "status": 200,
        "ok": True,
        "url": client_server.origin + "/dashboard",
    }
    assert [c["trigger"] for c in client_server.recorder.jwt_calls] == ["signIn"]
    view.wait_status("authenticated")
    assert view.cookie("session-token")


def test_sign_in_credentials_wrong_password(
    client_page: ClientPage, client_server: ClientServer
) -> None:
    view = client_page
    with view.page.expect_response(lambda r: r.url.endswith("/callback/credentials")) as answer:
        result = sign_in(view, password="wrong")
    assert result == {"error": "CredentialsSignin", "status": 401, "ok": False, "url": None}
    # What NextAuth v4 answers, and the client parses `error` from.
    assert answer.value.status == 401
    assert answer.value.json() == {
        "url": client_server.origin + "/api/auth/error?error=CredentialsSignin&provider=credentials"
    }
    assert view.call("() => window.nextAuth.getSession()") is None
    assert view.cookie("session-token") is None
    view.wait_status("unauthenticated")


def test_S_A5_throttled_sign_in_is_a_well_formed_refusal(client_page: ClientPage) -> None:
    view = client_page
    someone = {"email": "mallory@example.com"}  # not Alice: her count stays untouched
    for _ in range(10):
        assert sign_in(view, "wrong", **someone)["error"] == "CredentialsSignin"
    with view.page.expect_response(lambda r: r.url.endswith("/callback/credentials")) as answer:
        result = sign_in(view, "wrong", **someone)
    assert result == {"error": "TooManyRequests", "status": 429, "ok": False, "url": None}
    assert answer.value.status == 429 and int(answer.value.headers["retry-after"]) > 0
    view.wait_status("unauthenticated")


def test_A_NA1_sign_in_with_off_site_callback_url_stays_on_the_origin(
    client_page: ClientPage, client_server: ClientServer
) -> None:
    result = sign_in(client_page, callbackUrl="https://evil.example/")
    # the default redirect callback answers baseUrl, the bare origin
    assert result["ok"] is True and result["url"] == client_server.origin


def test_sign_in_with_redirect_lands_on_the_callback_url(
    client_page: ClientPage, client_server: ClientServer
) -> None:
    page = client_page.page
    page.evaluate(
        """(password) => { window.nextAuth.signIn("credentials",
            {callbackUrl: "/welcome", email: "alice@example.com", password}) }""",
        client_server.password,
    )
    page.wait_for_url(client_server.origin + "/welcome")
    assert client_page.call(FETCH_SESSION)["user"] == ALICE


def test_sign_in_with_redirect_and_wrong_password_lands_on_the_sign_in_page(
    client_page: ClientPage, client_server: ClientServer
) -> None:
    page = client_page.page
    page.evaluate(
        """() => { window.nextAuth.signIn("credentials", {callbackUrl: "/welcome",
            email: "alice@example.com", password: "wrong"}) }"""
    )
    page.wait_for_url(re.compile(re.escape(client_server.origin) + r"/api/auth/signin\?"))
    query = parse_qs(urlsplit(page.url).query)
    assert query["error"] == ["CredentialsSignin"]
    assert client_page.call(FETCH_SESSION) == {}


def test_sign_in_email_sends_the_link_and_the_link_signs_in(
    client_page: ClientPage, client_server: ClientServer
) -> None:
    view, inbox = client_page, client_server.inbox
    before = len(inbox.messages)
    result = view.call(
        """() => window.nextAuth.signIn("email",
            {redirect: false, email: "bob@example.com", callbackUrl: "/inbox-done"})"""
    )
    assert result == {
        "error": None,
        "status": 200,
        "ok": True,
        "url": client_server.origin + "/api/auth/verify-request?provider=email&type=email",
    }
    inbox.wait(before + 1)
    recipients, message = inbox.messages[before]
    assert recipients == ["bob@example.com"] and message["To"] == "bob@example.com"
    link = inbox.link(before)
    assert link.startswith(client_server.origin + "/api/auth/callback/email?")

    view.page.goto(link)
    view.page.wait_for_url(client_server.origin + "/inbox-done")
    session = view.call(FETCH_SESSION)
    assert session["user"]["email"] == "bob@example.com"


def test_update_posts_to_session_and_the_jwt_callback_sees_it(
    client_page: ClientPage, client_server: ClientServer
) -> None:
    view = client_page
    sign_in(view)
    view.wait_status("authenticated")
    client_server.recorder.jwt_calls.clear()

    def is_update(request: Any) -> bool:
        return bool(request.method == "POST" and request.url.endswith("/api/auth/session"))

    with view.page.expect_request(is_update) as posted:
        session = view.call("() => window.nextAuth.update({nickname: 'Ali'})")

    assert session["user"] == {**ALICE, "nickname": "Ali"}
    assert ISO_MS.fullmatch(session["expires"])
    calls = client_server.recorder.jwt_calls
    assert calls == [{"trigger": "update", "session": {"nickname": "Ali"}}]
    post = posted.value
    assert post.headers["content-type"] == "application/json"
    assert post.post_data_json["data"] == {"nickname": "Ali"}
    view.wait_status("authenticated")
    shown = view.page.text_content("#session")
    assert shown is not None and '"nickname":"Ali"' in shown
    # The cookie was rewritten: the next read has it too.
    assert view.call("() => window.nextAuth.getSession()")["user"]["nickname"] == "Ali"


def test_S_X1_session_update_without_the_csrf_token_changes_nothing(
    client_page: ClientPage, client_server: ClientServer
) -> None:
    view = client_page
    sign_in(view)
    client_server.recorder.jwt_calls.clear()
    answer = view.call(
        """async () => {
            const res = await fetch("/api/auth/session", {method: "POST",
                headers: {"Content-Type": "application/json"},
                body: JSON.stringify({csrfToken: "0".repeat(64), data: {nickname: "Eve"}})});
            return [res.status, await res.json()];
        }"""
    )
    assert answer == [400, {}]
    assert client_server.recorder.jwt_calls == []
    assert "nickname" not in view.call(FETCH_SESSION)["user"]


def test_S_S4_sign_out_without_redirect(
    client_page: ClientPage, client_server: ClientServer
) -> None:
    view = client_page
    sign_in(view)
    view.wait_status("authenticated")
    loaded_at = view.call("() => window.nextAuth.loadedAt")

    result = view.call("() => window.nextAuth.signOut({redirect: false})")

    assert result == {"url": client_server.origin + "/"}
    view.wait_status("unauthenticated")
    assert view.call("() => window.nextAuth.loadedAt") == loaded_at
    assert view.cookie("session-token") is None
    assert view.call("() => window.nextAuth.getSession()") is None


def test_S_S4_sign_out_with_redirect_lands_on_the_callback_url(
    client_page: ClientPage, client_server: ClientServer
) -> None:
    view = client_page
    sign_in(view)
    view.page.evaluate("() => { window.nextAuth.signOut({callbackUrl: '/bye'}) }")
    view.page.wait_for_url(client_server.origin + "/bye")
    assert view.cookie("session-token") is None
    assert view.call(FETCH_SESSION) == {}
