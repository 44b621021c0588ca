"""``authmw check``: is this configuration ready to serve? One finding per subject.

Reads a built :class:`~authmw.Auth` (and its rules) and asks each part what only a live check
can tell: the secret and URL in force, each provider's discovery document, whether the store
answers and has its tables, whether the rules compile. Nothing here runs per request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .adapters import AdapterError, AdapterUnavailable
from .errors import AuthError, ConfigurationError

if TYPE_CHECKING:
    from .config import Auth

__all__ = ["Finding", "check_auth"]


@dataclass(frozen=True)
class Finding:
    """What ``authmw check`` found about one *subject*; *ok* false is a problem to fix."""

    subject: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'} {self.subject}: {self.detail}"


def check_auth(auth: Auth, rules: Iterable[Any] = ()) -> list[Finding]:
    """Every finding about *auth* and *rules*, in the order a request meets them."""
    findings = [_secret(auth), _url(auth)]
    findings.extend(_provider(provider) for provider in auth.providers.values())
    findings.append(_store(auth.adapter))
    findings.append(_rules(rules))
    return findings


def _secret(auth: Auth) -> Finding:
    count = len(auth.secrets)
    rotated = f"; {count - 1} older one(s) still accepted" if count > 1 else ""
    return Finding("secret", True, f"set (the first of {count} signs and encrypts{rotated})")


def _url(auth: Auth) -> Finding:
    if auth.url:
        return Finding("url", True, auth.url + auth.base_path)
    return Finding(
        "url", True, "not set: the origin comes from each request's Host (trust_host is on)"
    )


def _provider(provider: Any) -> Finding:
    subject = f"provider {provider.id}"
    discovery = getattr(provider, "discovery", None)
    if discovery is None:
        return Finding(subject, True, f"{provider.type}, configured")
    try:
        document = discovery.fetch()
    except (ConfigurationError, AuthError) as error:
        return Finding(subject, False, f"discovery refused: {error}")
    except Exception as error:  # network errors of any kind: report, never crash the check
        return Finding(subject, False, f"discovery unreachable: {error}")
    return Finding(subject, True, f"discovery reachable, issuer {document.get('issuer')}")


def _store(adapter: Any) -> Finding:
    if adapter is None:
        return Finding("store", True, "none: encrypted cookie sessions, nothing stored")
    name = repr(adapter)
    fix = "create them with SQLAdapter(..., create_tables=True) or adapter.create_all()"
    try:
        missing = adapter.missing_tables() if hasattr(adapter, "missing_tables") else []
        if missing:
            return Finding("store", False, f"{name} lacks tables {', '.join(missing)}: {fix}")
        adapter.get_user_by_email("authmw-check@example.invalid")
    except AdapterUnavailable as error:
        return Finding("store", False, f"{name} does not answer: {error}")
    except AdapterError as error:
        return Finding("store", False, f"{name} failed a lookup: {error}")
    return Finding("store", True, f"{name} answers")


def _rules(rules: Iterable[Any]) -> Finding:
    from .rules import RuleConfigError, coerce_rules

    try:
        compiled = list(coerce_rules(list(_as_rules(rules))))
    except (RuleConfigError, ConfigurationError) as error:
        return Finding("rules", False, str(error))
    return Finding("rules", True, f"{len(compiled)} rule(s) compile")


def _as_rules(rules: Iterable[Any]) -> Iterable[Any]:
    for rule in rules:
        yield dict(rule) if isinstance(rule, Mapping) else rule
