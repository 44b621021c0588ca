"""The public API stays put: the names in ``authmw`` and the old module paths (shims)."""

from __future__ import annotations

import importlib

import pytest

import authmw

PUBLIC = {
    "Auth", "AuthDispatcher", "AuthError", "Callbacks", "ConfigurationError",
    "CredentialsProvider", "Events", "Handler", "Pages", "Provider", "RateLimits", "Rule",
    "RulesMiddleware", "Session", "SessionMiddleware", "SessionOptions", "SignInResult", "Theme",
    "get_session", "get_token", "rule", "rules_middleware",
}  # fmt: skip


def test_public_names() -> None:
    assert set(authmw.__all__) == PUBLIC
    for name in PUBLIC:
        assert getattr(authmw, name) is not None


@pytest.mark.parametrize(
    ("old", "name", "new", "new_name"),
    [
        ("authmw.api", "get_session", "authmw.session.current", "get_session"),
        ("authmw.api", "get_token", "authmw.session.current", "get_token"),
        ("authmw.users", "Users", "authmw.accounts.linking", "AccountLinking"),
        ("authmw.handlers.complete", "complete_sign_in", "authmw.handlers.complete", None),
        ("authmw.session.cookies", "parse_cookie_header", "authmw.cookies.codec", None),
        ("authmw.session.chunks", "join_chunks", "authmw.cookies.chunks", None),
        ("authmw.security.cookies", "CookieSet", "authmw.cookies.names", None),
        ("authmw.config", "Realm", "authmw.session.scheme_keys", "SchemeKeys"),
        ("authmw.config", "SessionOptions", "authmw.options", None),
        ("authmw.config", "Pages", "authmw.options", None),
        ("authmw.session.middleware", "SESSION_KEY", "authmw.environ_keys", None),
        ("authmw.providers.oauth2", "Endpoints", "authmw.providers.endpoints", None),
        ("authmw.adapters.sql", "UTCDateTime", "authmw.adapters.sql_schema", None),
    ],
)
def test_old_module_paths_still_work(old: str, name: str, new: str, new_name: str | None) -> None:
    before = getattr(importlib.import_module(old), name)
    assert before is getattr(importlib.import_module(new), new_name or name)


def test_request_context_keeps_finish() -> None:
    from authmw.dispatch.context import RequestContext

    assert RequestContext.finish is RequestContext.add_response_headers
