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

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from .._types import StartResponse, WSGIApplication, WSGIEnvironment
from .compile import RuleMatcher, normalize_path, path_readings
from .model import Rule, RuleConfigError, check_target, coerce_rules
from .responses import MESSAGES as _MESSAGES
from .responses import NO_STORE as _NO_STORE
from .responses import PAGE_HEADERS as _PAGE_HEADERS
from .responses import forbidden_page as _forbidden_page
from .responses import request_bytes
from .responses import wants_json as _wants_json
from .responses import with_callback as _with_callback

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


def _roles_of(user: Mapping[str, Any]) -> set[str]:
    role, roles = user.get("role"), user.get("roles")
    found = {role} if isinstance(role, str) else set()
    if isinstance(roles, list | tuple | set | frozenset):
        found.update(r for r in roles if isinstance(r, str))
    return found


class RulesMiddleware:
    """Protects the wrapped app with ordered path rules (first match wins).

    :param app: the WSGI app to protect.
    :param rules: :class:`Rule` objects, data mappings or pairs (see :func:`coerce_rules`).
    :param sign_in_url: where anonymous browsers go (relative path or absolute URL);
        ``callbackUrl`` is appended with the original relative URL.
    :param default: what unmatched paths require.
    :param exempt_prefixes: paths never subject to rules (e.g. ``"/api/auth/"``).
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
        session = environ.get("auth.session")
        if not isinstance(session, Mapping) or not isinstance(session.get("user"), Mapping):
            if environ.get("auth.session_unavailable"):
                return self._unavailable(environ, start_response, found)
            # None, or anything that is not a session (an error object...): fail closed.
            return self._deny(environ, start_response, found, raw, signed_in=False)
        if found is None or self._allowed(found, session, session["user"], environ):
            return self.app(environ, start_response)
        return self._deny(environ, start_response, found, raw, signed_in=True)

    def _allowed(
        self, found: Rule, session: Mapping[str, Any], user: Mapping[str, Any], environ: Any
    ) -> bool:
        if found.roles is not None and not found.roles & _roles_of(user):
            return False
        if found.allow is None:
            return True
        import webob

        try:
            verdict = found.allow(session, webob.Request(environ))
        except Exception:
            log.exception("allow predicate of rule %r raised; access denied", found.pattern)
            return False
        if not isinstance(verdict, bool):
            log.warning("allow predicate of rule %r returned a non-bool; denied", found.pattern)
            return False
        return verdict

    def _unavailable(
        self, environ: WSGIEnvironment, start_response: StartResponse, found: Rule | None
    ) -> Iterable[bytes]:
        """The session store is down: 503 with Retry-After, never the protected page."""
        headers = [("Retry-After", "5")]
        if (found is not None and found.api) or _wants_json(environ):
            body = json.dumps(
                {"error": "SessionUnavailable", "message": "The session store is unavailable."}
            ).encode()
            headers.append(("Content-Type", "application/json"))
        else:
            body = b"Service Unavailable: sign-in is temporarily unavailable, try again shortly."
            headers.append(("Content-Type", "text/plain; charset=utf-8"))
        return self._answer(start_response, "503 Service Unavailable", headers, body)

    def _deny(
        self,
        environ: WSGIEnvironment,
        start_response: StartResponse,
        found: Rule | None,
        raw_path: bytes,
        *,
        signed_in: bool,
    ) -> Iterable[bytes]:
        code = "AccessDenied" if signed_in else "SessionRequired"
        if (found is not None and found.api) or _wants_json(environ):
            body = json.dumps({"error": code, "message": _MESSAGES[code]}).encode()
            headers = [("Content-Type", "application/json")]
            if signed_in:
                return self._answer(start_response, "403 Forbidden", headers, body)
            headers.append(("WWW-Authenticate", 'Bearer realm="authmw"'))
            return self._answer(start_response, "401 Unauthorized", headers, body)
        target = found.redirect if found is not None else None
        if not target:
            target = self.sign_in_url
            if target.startswith("/"):  # the auth endpoints live under the app's mount point
                target = str(environ.get("SCRIPT_NAME", "")).rstrip("/") + target
        location = _with_callback(target, environ, raw_path)
        if signed_in:
            if found is not None and found.forbidden_redirect:
                elsewhere = [("Location", found.forbidden_redirect)]
                return self._answer(start_response, "302 Found", elsewhere, b"")
            # The themed page: who is signed in, a way home and one to sign in as someone else.
            page = _forbidden_page(environ, sign_in_url=location)
            return self._answer(start_response, "403 Forbidden", list(_PAGE_HEADERS), page)
        return self._answer(start_response, "302 Found", [("Location", location)], b"")

    @staticmethod
    def _answer(
        start_response: StartResponse, status: str, headers: list[tuple[str, str]], body: bytes
    ) -> Iterable[bytes]:
        if not any(name == "Content-Type" for name, _ in headers):
            headers = [*headers, ("Content-Type", "text/plain; charset=utf-8")]
        start_response(status, [*headers, *_NO_STORE, ("Content-Length", str(len(body)))])
        return [body]
