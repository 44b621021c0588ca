"""RequestContext: one auth request, with its input parsed safely and its cookies queued."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from webob import Request, Response

from .._types import WSGIEnvironment
from ..cookies.codec import parse_cookie_header
from ..environ_keys import COOKIES_KEY, LOADED_KEY, SESSION_COOKIES_KEY, SESSION_KEY, TOKEN_KEY
from ..security.origin import describe_request_origin, is_cross_site_request
from ..security.redirects import origin_of, sanitize_redirect
from ..util.headers import NO_REFERRER, PAGE_SECURITY_HEADERS
from ..util.negotiation import prefers_json
from ..util.urls import append_query, base_url
from .answer import Answer, JSONAnswer
from .request_input import MAX_BODY as MAX_BODY
from .request_input import MAX_FIELDS as MAX_FIELDS
from .request_input import RequestError as RequestError
from .request_input import parse_pairs as parse_pairs
from .request_input import read_body, read_query

if TYPE_CHECKING:
    from ..providers.base import Provider
    from ..session.model import Session
    from ..session.strategy import LoadedSession
    from .services import EndpointServices

log = logging.getLogger("authmw.dispatch")

CALLBACK_URL_MAX_AGE = 60 * 60

#: Headers every auth endpoint response carries.
SECURITY_HEADERS = (("Cache-Control", "no-store"), ("Pragma", "no-cache"), *PAGE_SECURITY_HEADERS)


class RequestContext:
    """Everything a handler needs about one request to an auth endpoint.

    :param services: what the endpoints use (``ctx.auth``), handed over by the dispatcher.
    """

    def __init__(
        self,
        environ: WSGIEnvironment,
        services: EndpointServices,
        action: str,
        provider_id: str | None,
    ) -> None:
        self.environ = environ
        self.auth = services
        self.action = action
        self.provider_id = provider_id
        self.request = Request(environ)
        self.realm = services.realm(environ)
        #: The app's public base URL (``scheme://host[/mount]``); its *origin* in the web
        #: sense (``scheme://host[:port]``) is ``origin_of(ctx.base_url)``.
        self.base_url = base_url(services.url, environ)
        cookies = environ.get(COOKIES_KEY)
        if cookies is None:
            cookies = parse_cookie_header(environ.get("HTTP_COOKIE", ""))
        self.cookies: dict[str, str] = cookies
        self.set_cookies: list[str] = []
        #: The response is a page whose form posts back here: keep ``same-origin`` (issue 8:
        #: under ``no-referrer`` its POST would say ``Origin: null``) though the URL held a token.
        self.posts_back = False

    @property
    def origin(self) -> str:
        """The old name of :attr:`base_url` (it was never just an origin: it has the mount)."""
        return self.base_url

    # -- identity -------------------------------------------------------------------------

    @property
    def session(self) -> Session | None:
        session: Session | None = self.environ.get(SESSION_KEY)
        return session

    @property
    def token(self) -> dict[str, Any] | None:
        token: dict[str, Any] | None = self.environ.get(TOKEN_KEY)
        return token

    @property
    def loaded_session(self) -> LoadedSession | None:
        """The session the session middleware loaded (with its stored user, if any)."""
        loaded: LoadedSession | None = self.environ.get(LOADED_KEY)
        return loaded

    @property
    def provider(self) -> Provider | None:
        return self.auth.providers.get(self.provider_id or "")

    def set_session_cookies(self, headers: list[str]) -> None:
        """Queue ``Set-Cookie`` values writing the session cookie; they replace whatever the
        session middleware would have added (a rolled or cleared cookie)."""
        pending = self.environ.get(SESSION_COOKIES_KEY)
        if isinstance(pending, list):
            pending.clear()
        self.set_cookies.extend(headers)

    # -- URLs -----------------------------------------------------------------------------

    def auth_url(self, action: str, provider_id: str | None = None, **query: str) -> str:
        """Absolute URL of an auth endpoint, e.g. ``https://app.example/api/auth/signin``."""
        url = f"{self.base_url}{self.auth.base_path}/{action}"
        if provider_id:
            url += f"/{provider_id}"
        return append_query(url, query)

    def page_url(self, page: str | None, action: str, **query: str) -> str:
        """A custom page (``pages.*``) if configured, else the built-in endpoint page."""
        if page:
            base = page if page.startswith(("http://", "https://")) else self.base_url + page
            return append_query(base, query)
        return self.auth_url(action, **query)

    def sign_in_page_url(self, **query: str) -> str:
        return self.page_url(self.auth.pages.sign_in, "signin", **query)

    def error_url(self, code: str, *, page: str = "error") -> str:
        if page == "signin":
            return self.sign_in_page_url(error=code)
        return self.page_url(self.auth.pages.error, "error", error=code)

    # -- input ----------------------------------------------------------------------------

    @cached_property
    def query(self) -> dict[str, str]:
        return read_query(self.environ)

    @cached_property
    def body(self) -> dict[str, Any]:
        """The POST body: a form, or a JSON object (the next-auth client's ``update()``)."""
        if self.request.method != "POST":
            return {}
        return read_body(self.environ)

    def form(self) -> Mapping[str, Any]:
        return self.body

    def param(self, name: str) -> str | None:
        """A string parameter from the body (POST) or query; other types are a 400."""
        value = self.body.get(name) if name in self.body else self.query.get(name)
        if value is not None and not isinstance(value, str):
            raise RequestError(400, f"parameter {name} must be a string")
        return value

    @property
    def wants_json(self) -> bool:
        """The client asked for ``{"url": ...}`` instead of redirects (next-auth client)."""
        if self.environ.get("HTTP_X_AUTH_RETURN_REDIRECT") == "1":
            return True
        value = self.body.get("json") if self.request.method == "POST" else None
        return value in ("true", True)

    @property
    def accepts_json(self) -> bool:
        """``Accept`` ranks JSON above HTML (the one reading shared with rules and decorators)."""
        return prefers_json(self.environ.get("HTTP_ACCEPT"))

    # -- CSRF -----------------------------------------------------------------------------

    def csrf_token(self) -> str:
        """The CSRF token bound to the cookie; a fresh cookie is queued if needed."""
        spec = self.realm.cookies.csrf_token
        token, cookie_value = self.auth.csrf.issue(self.cookies.get(spec.name))
        if cookie_value is not None:
            self.set_cookies.append(spec.set(cookie_value, max_age=None))
            self.cookies[spec.name] = cookie_value
        return token

    def rotate_csrf_token(self) -> None:
        """Replace the CSRF cookie with a fresh one (S-X2): a token read before a sign-in or
        a sign-out is worthless after it."""
        spec = self.realm.cookies.csrf_token
        _, cookie_value = self.auth.csrf.issue(None)
        if cookie_value is not None:
            self.set_cookies.append(spec.set(cookie_value, max_age=None))
            self.cookies[spec.name] = cookie_value

    def csrf_valid(self) -> bool:
        """Double-submit check plus a cross-site check of Origin / Sec-Fetch-Site."""
        if is_cross_site_request(self.environ, origin_of(self.base_url)):
            log.warning(
                "cross-site POST to %s refused: request from %s, configured origin %s",
                self.action,
                describe_request_origin(self.environ),
                origin_of(self.base_url),
            )
            return False
        cookie = self.cookies.get(self.realm.cookies.csrf_token.name)
        submitted = self.body.get("csrfToken")
        if not self.auth.csrf.verify(cookie, submitted):
            log.warning("CSRF check failed on %s", self.action)
            return False
        return True

    # -- callback URL ---------------------------------------------------------------------

    def sanitize(self, url: object) -> str:
        """Run the raw *url* through the ``redirect`` callback, then check what it returned.

        The default callback keeps same-origin URLs only; a user's callback may allow more (a
        trusted sibling site), as in NextAuth. Whatever it returns must be a relative path
        (re-checked against the origin) or an absolute http(s) URL with a plain host and no
        control characters; anything else, or a callback that raises, means the origin.
        """
        raw = url if isinstance(url, str) else self.base_url
        try:
            result = self.auth.callbacks.redirect(url=raw, base_url=self.base_url)
        except Exception:
            log.exception("callbacks.redirect raised; using the base URL")
            return self.base_url
        if not isinstance(result, str) or not result or len(result) > 4096:
            return self.base_url
        if any(ord(c) < 0x21 or ord(c) == 0x7F for c in result):
            log.error("callbacks.redirect returned a URL with control characters; ignored")
            return self.base_url
        if result.startswith("/"):  # relative: the same checks as any callbackUrl
            return sanitize_redirect(result, self.base_url)
        if not origin_of(result):  # javascript:, userinfo, odd hosts, another scheme...
            log.error("callbacks.redirect returned a URL that is not plain http(s); ignored")
            return self.base_url
        return result

    def callback_url(self) -> str:
        """The sanitized callbackUrl: parameter, else the signed cookie, else the origin.

        A new value is remembered in the callback-url cookie for the rest of the flow.
        """
        spec = self.realm.cookies.callback_url
        stored = self.auth.callback_url_signer.unsign(
            self.cookies.get(spec.name), max_age=CALLBACK_URL_MAX_AGE
        )
        given = self.param("callbackUrl")
        if given:
            url = self.sanitize(given)
        elif stored:
            url = self.sanitize(stored)
        else:
            url = self.base_url
        if url != stored:
            signed = self.auth.callback_url_signer.sign(url)
            self.set_cookies.append(spec.set(signed, max_age=None))
        return url

    def stored_callback_url(self) -> str:
        """The callbackUrl remembered when the flow started (re-validated)."""
        spec = self.realm.cookies.callback_url
        stored = self.auth.callback_url_signer.unsign(
            self.cookies.get(spec.name), max_age=CALLBACK_URL_MAX_AGE
        )
        return self.sanitize(stored) if stored else self.base_url

    # -- responses ------------------------------------------------------------------------

    def redirect(self, url: str, *, status: int = 200) -> Response:
        """302 to *url*, or ``{"url": url}`` when the client asked for JSON redirects."""
        if self.wants_json:
            return self.json({"url": url}, status=status)
        response = Response(status=302)
        response.headers["Location"] = url
        return response

    def json(self, data: Any, *, status: int = 200) -> Response:
        response = Response(status=status, content_type="application/json", charset="utf-8")
        response.text = json.dumps(data, separators=(",", ":"))
        return response

    def html(self, body: str, *, status: int = 200) -> Response:
        response = Response(status=status, content_type="text/html", charset="utf-8")
        response.text = body
        return response

    def add_response_headers(self, response: Answer) -> Answer:
        """Add queued cookies and the security headers every auth response carries."""
        # the callback's URL held a code or token
        no_referrer = NO_REFERRER if self.action == "callback" and not self.posts_back else None
        if isinstance(response, JSONAnswer):
            response.add_headers(self.set_cookies, SECURITY_HEADERS, no_referrer)
            return response
        for value in self.set_cookies:
            response.headerlist.append(("Set-Cookie", value))
        for key, value in (*SECURITY_HEADERS, *([no_referrer] if no_referrer else [])):
            response.headers[key] = value
        return response

    #: The old name of :meth:`add_response_headers`.
    finish = add_response_headers
