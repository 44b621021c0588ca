"""RulesMiddleware: lets a request through, or answers sign-in redirect / 401 / 403 / 400.

It reads ``environ['auth.session']`` (set by the session middleware outside it) and never writes
it. Rules see ``SCRIPT_NAME + PATH_INFO`` only: never the query string, never
``X-Forwarded-Uri``/``X-Original-URL``/``X-Rewrite-URL`` or any other header (checks A-OP5,
A-OP7, B-H3, A-NA9). Allowed requests cost a path normalization and a trie walk; a
``webob.Request`` is built only to call an ``allow`` predicate.

Refused with 400: NUL and other control characters, ``..`` above the root, ``..;x`` segments,
and paths the app behind us could read differently from the rules (dot segments, a decoded
``?`` or ``#``) when those readings land on different rules or exemptions (B-P9, A-OP8).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import webob

from .._types import StartResponse, WSGIApplication, WSGIEnvironment
from ..environ_keys import SESSION_KEY, UNAVAILABLE_KEY
from ..pages.forbidden import forbidden_page
from ..pages.render import PageRenderer
from ..util.urls import sign_in_redirect
from .compile import RuleMatcher, normalize_path, path_readings
from .decide import Refusal, refusal
from .model import Rule, RuleConfigError, check_target, coerce_rules
from .responses import NO_STORE, denial, request_bytes, wants_json
from .responses import callback_url as _callback_url

log = logging.getLogger("authmw.rules")

_EXEMPT = object()  # outcome for paths under an exempt prefix
_MISSING = object()
_CACHE_SIZE = 4096


def _request_path(environ: WSGIEnvironment) -> tuple[str, bytes]:
    """The decoded path as text (for matching) and as bytes (for the callbackUrl)."""
    wsgi = str(environ.get("SCRIPT_NAME", "")) + str(environ.get("PATH_INFO", ""))
    if wsgi.isascii():
        return wsgi, wsgi.encode("ascii")
    raw = request_bytes(environ)
    # Undecodable bytes become lone surrogates: they match wildcards, never a literal.
    return raw.decode("utf-8", "surrogateescape"), raw


class RulesMiddleware:
    """Protects the wrapped app with ordered path rules (first match wins).

    :param app: the WSGI app to protect.
    :param rules: :class:`Rule` objects, data mappings or pairs (see :func:`coerce_rules`).
    :param sign_in_url: where anonymous browsers go (relative path or absolute URL);
        ``callbackUrl`` is appended with the original relative URL.
    :param default: what unmatched paths require.
    :param exempt_prefixes: paths never subject to rules (e.g. ``"/api/auth/"``).
    :param renderer: renders the themed 403 page (``Auth.renderer``; default: the one of the
        ``Auth`` in front, else the built-in templates).
    :raises RuleConfigError: on invalid rules or options.
    """

    def __init__(
        self,
        app: WSGIApplication,
        rules: Iterable[Rule | Mapping[str, Any]],
        *,
        sign_in_url: str,
        default: Literal["public", "signed_in"] = "public",
        exempt_prefixes: Sequence[str] = (),
        renderer: PageRenderer | None = None,
    ) -> None:
        if default not in ("public", "signed_in"):
            raise RuleConfigError(f"default must be 'public' or 'signed_in', got {default!r}")
        check_target(sign_in_url, "sign_in_url")
        self.app = app
        self.rules = coerce_rules(rules)
        self.matcher = RuleMatcher(self.rules)
        self.sign_in_url = sign_in_url
        self.default_public = default == "public"
        prefixes = []
        for prefix in exempt_prefixes:
            normalized = normalize_path(prefix) if prefix.startswith("/") else None
            if normalized is None:
                raise RuleConfigError(f"exempt prefix must be a path, got {prefix!r}")
            prefixes.append(normalized.rstrip("/"))
        self.exempt = tuple(prefixes)
        self.exempt_dirs = tuple(p + "/" for p in prefixes)
        self.renderer = renderer
        # Real traffic repeats paths: remember each (path, method) outcome, rules are immutable.
        self._cache: dict[tuple[str, str], object] = {}

    def _outcome(self, path: str, method: str) -> object:
        key = (path, method)
        outcome = self._cache.get(key, _MISSING)
        if outcome is _MISSING:
            if self.exempt and (path in self.exempt or path.startswith(self.exempt_dirs)):
                outcome = _EXEMPT
            else:
                outcome = self.matcher.match_normalized(path, method)
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()  # bounded: random paths only churn it
            self._cache[key] = outcome
        return outcome

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        text, raw = _request_path(environ)
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        path = normalize_path(text)
        if path is None:
            return self._answer(start_response, "400 Bad Request", [], b"Bad Request")
        outcome = self._outcome(path, method)
        if "/." in text or "?" in text or "#" in text:
            readings = path_readings(text)
            if any(r is None or self._outcome(r, method) is not outcome for r in readings):
                log.info("refused an ambiguous path: %r", text)
                return self._answer(start_response, "400 Bad Request", [], b"Bad Request")
        if outcome is _EXEMPT or (outcome is None and self.default_public):
            return self.app(environ, start_response)
        found = outcome if isinstance(outcome, Rule) else None
        if found is not None and found.public:
            return self.app(environ, start_response)
        session = environ.get(SESSION_KEY)
        roles = found.roles if found is not None else None
        why = refusal(session, unavailable=bool(environ.get(UNAVAILABLE_KEY)), roles=roles)
        if why is None and found is not None and not self._allowed(found, session, environ):
            why = "forbidden"
        if why is None:
            return self.app(environ, start_response)
        return self._deny(environ, start_response, found, raw, why)

    @staticmethod
    def _allowed(found: Rule, session: Any, environ: WSGIEnvironment) -> bool:
        """The rule's ``allow`` predicate (roles are already checked); failing closed."""
        if found.allow is None:
            return True
        try:
            verdict = found.allow(session, webob.Request(environ))
        except Exception:
            log.exception("allow predicate of rule %r raised; access denied", found.pattern)
            return False
        if not isinstance(verdict, bool):
            log.warning("allow predicate of rule %r returned a non-bool; denied", found.pattern)
            return False
        return verdict

    def _deny(
        self,
        environ: WSGIEnvironment,
        start_response: StartResponse,
        found: Rule | None,
        raw_path: bytes,
        why: Refusal,
    ) -> Iterable[bytes]:
        target = (found.redirect if found is not None else None) or self.sign_in_url
        location = sign_in_redirect(target, environ, _callback_url(environ, raw_path))
        log.debug("rules: %s refused (%s)", environ.get("PATH_INFO", ""), why)
        answer = denial(
            why,
            as_json=(found is not None and found.api) or wants_json(environ),
            sign_in_location=location,
            forbidden_redirect=found.forbidden_redirect if found is not None else None,
            # The themed page: who is signed in, a way home and one to sign in as someone else.
            forbidden_page=lambda: forbidden_page(
                environ, sign_in_url=location, renderer=self.renderer
            ),
        )
        headers = list(answer.headers)
        if not any(name == "Content-Type" for name, _ in headers):
            headers.append(("Content-Type", "text/plain; charset=utf-8"))
        headers.append(("Content-Length", str(len(answer.body))))
        start_response(answer.status_line, headers)
        return [answer.body]

    @staticmethod
    def _answer(
        start_response: StartResponse, status: str, headers: list[tuple[str, str]], body: bytes
    ) -> Iterable[bytes]:
        if not any(name == "Content-Type" for name, _ in headers):
            headers = [*headers, ("Content-Type", "text/plain; charset=utf-8")]
        start_response(status, [*headers, *NO_STORE, ("Content-Length", str(len(body)))])
        return [body]
