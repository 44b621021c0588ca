"""Protection rules as values: what a path requires, built from code or from config data.

A :class:`Rule` pairs a path pattern with a requirement. Patterns are ``/``-separated segments:
``*`` matches exactly one segment, ``**`` any number of segments (zero included), anything else
is a literal, compared case-sensitively with the *decoded* request path (so ``/ADMIN`` is not
covered by ``/admin``; apps on case-insensitive routers must list both spellings). A trailing
slash is ignored: ``/admin/`` and ``/admin`` are the same pattern.

The requirement is, in order of precedence: ``public=True`` (anyone), else a signed-in session,
plus ``roles`` (the user's ``role`` is one of them or their ``roles`` list meets them) and/or an
``allow(session, request)`` predicate, which must return ``True``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import ConfigurationError, unknown_names_message

if TYPE_CHECKING:
    import webob

Predicate = Callable[[Mapping[str, Any], "webob.Request"], bool]

_METHOD = re.compile(r"[A-Z]+")
_FORBIDDEN_IN_PATTERN = re.compile(r"[\x00-\x20\x7f;?#%\\]")
_DATA_KEYS = frozenset(
    {"path", "methods", "public", "signed_in", "roles", "allow", "redirect"}
    | {"forbidden_redirect", "api"}
)


class RuleConfigError(ConfigurationError):
    """A rule that cannot be built: bad pattern, unknown key, wrong type or conflicting options."""


def parse_pattern(pattern: str) -> tuple[str, ...]:
    """The segments of *pattern* (``"/a/*/**"`` -> ``("a", "*", "**")``).

    :raises RuleConfigError: when the pattern is not an absolute path of literal, ``*`` and
        ``**`` segments (no ``.``/``..``, no ``;``, ``?``, ``#``, ``%``, whitespace or partial
        globs such as ``admin*``).
    """
    if not isinstance(pattern, str) or not pattern.startswith("/"):
        raise RuleConfigError(f"rule pattern must be a string starting with '/': {pattern!r}")
    bad = _FORBIDDEN_IN_PATTERN.search(pattern)
    if bad:
        raise RuleConfigError(
            f"rule pattern {pattern!r} contains {bad.group()!r}: patterns match the decoded "
            "path only, without parameters, query or fragment"
        )
    body = pattern[1:-1] if pattern.endswith("/") and pattern != "/" else pattern[1:]
    segments: list[str] = []
    for segment in body.split("/") if body else ():
        if segment in ("", ".", ".."):
            raise RuleConfigError(f"rule pattern {pattern!r} has an empty or dot segment")
        if segment.startswith(":") or (segment.startswith("{") and segment.endswith("}")):
            raise RuleConfigError(
                f"rule pattern {pattern!r}: {segment!r} is a route parameter; rules match "
                "paths, so use '*' for one segment ('**' for any depth)"
            )
        if "*" in segment and segment not in ("*", "**"):
            raise RuleConfigError(f"rule pattern {pattern!r}: '*' and '**' must be whole segments")
        if segment == "**" and segments and segments[-1] == "**":
            continue  # "/**/**" means "/**"
        segments.append(segment)
    return tuple(segments)


def _names(value: object, what: str, *, upper: bool = False) -> frozenset[str] | None:
    """A set of non-empty strings from a string or an iterable of strings."""
    if value is None:
        return None
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, Iterable) or isinstance(items, Mapping | bytes):
        raise RuleConfigError(f"{what} must be a list of strings, got {value!r}")
    names = []
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise RuleConfigError(f"{what} must be non-empty strings, got {item!r}")
        names.append(item.strip().upper() if upper else item)
    if not names:
        raise RuleConfigError(f"{what} must not be empty (leave it out instead)")
    return frozenset(names)


def check_target(value: object, what: str) -> None:
    """Refuse a redirect target that is not a local path or an http(s) URL."""
    if value is None:
        return
    if not isinstance(value, str) or re.search(r"[\x00-\x20\x7f\\]", value):
        raise RuleConfigError(f"{what} must be a URL without whitespace, got {value!r}")
    relative = value.startswith("/") and not value.startswith("//")
    if not (relative or value.startswith(("https://", "http://"))):
        raise RuleConfigError(f"{what} must be a path starting with '/' or an http(s) URL")


@dataclass(frozen=True, slots=True)
class Rule:
    """One protection rule. Prefer :func:`rule` or plain data (:func:`rules_from_data`).

    :param pattern: path pattern (``*`` one segment, ``**`` any depth including none).
    :param methods: methods the rule applies to (``None``: all, ``HEAD`` and ``OPTIONS``
        included, so CORS preflights need a public ``OPTIONS`` rule first); ``GET`` implies
        ``HEAD``.
    :param public: anyone may pass; excludes ``roles`` and ``allow``.
    :param allow: ``allow(session, request) -> bool`` for signed-in users; must return ``True``.
    :param roles: the user's ``role`` must be one of these or their ``roles`` list meet them.
    :param redirect: where anonymous browsers go instead of the configured sign-in page.
    :param forbidden_redirect: where signed-in but refused browsers go instead of a 403 page.
    :param api: always answer denials with JSON 401/403, never a redirect.
    :raises RuleConfigError: on an invalid pattern or conflicting options.
    """

    pattern: str
    methods: frozenset[str] | None = None
    public: bool = False
    allow: Predicate | None = None
    roles: frozenset[str] | None = None
    redirect: str | None = None
    forbidden_redirect: str | None = None
    api: bool = False

    def __post_init__(self) -> None:
        parse_pattern(self.pattern)
        methods = _names(self.methods, "methods", upper=True)
        if methods is not None and not all(_METHOD.fullmatch(m) for m in methods):
            raise RuleConfigError(f"methods must be HTTP method names, got {sorted(methods)}")
        object.__setattr__(self, "methods", methods)
        object.__setattr__(self, "roles", _names(self.roles, "roles"))
        for name in ("public", "api"):
            if not isinstance(getattr(self, name), bool):
                raise RuleConfigError(f"{name} must be true or false")
        if self.allow is not None and not callable(self.allow):
            raise RuleConfigError(f"allow must be callable, got {self.allow!r}")
        check_target(self.redirect, "redirect")
        check_target(self.forbidden_redirect, "forbidden_redirect")
        extras = self.roles or self.allow or self.redirect or self.forbidden_redirect
        if self.public and extras:
            raise RuleConfigError(
                f"rule {self.pattern!r}: a public rule takes no roles, allow or redirects"
            )


def rule(
    pattern: str,
    *,
    methods: Iterable[str] | str | None = None,
    public: bool = False,
    allow: Predicate | None = None,
    roles: Iterable[str] | str | None = None,
    redirect: str | None = None,
    forbidden_redirect: str | None = None,
    api: bool = False,
) -> Rule:
    """A :class:`Rule`; *methods* and *roles* may be any iterable of strings, or one string."""
    return Rule(
        pattern,
        methods=_names(methods, "methods", upper=True),
        public=public,
        allow=allow,
        roles=_names(roles, "roles"),
        redirect=redirect,
        forbidden_redirect=forbidden_redirect,
        api=api,
    )


def _from_mapping(item: Mapping[str, Any], where: str) -> Rule:
    if "role" in item:  # the decorators' spelling, accepted here too
        if "roles" in item:
            raise RuleConfigError(f"{where}: give 'roles' or 'role', not both")
        item = {**{k: v for k, v in item.items() if k != "role"}, "roles": item["role"]}
    unknown = set(item) - _DATA_KEYS
    if unknown:
        raise RuleConfigError(unknown_names_message(where, unknown, _DATA_KEYS))
    if "path" not in item:
        raise RuleConfigError(f"{where}: 'path' is required")
    for key in ("public", "signed_in", "api"):
        if key in item and not isinstance(item[key], bool):
            raise RuleConfigError(f"{where}: {key!r} must be true or false, got {item[key]!r}")
    if item.get("signed_in") is False:
        raise RuleConfigError(f"{where}: 'signed_in: false' is ambiguous; use 'public: true'")
    if item.get("public") and item.get("signed_in"):
        raise RuleConfigError(f"{where}: a rule cannot be both public and signed_in")
    try:
        return rule(
            item["path"],
            methods=item.get("methods"),
            public=item.get("public", False),
            allow=item.get("allow"),
            roles=item.get("roles"),
            redirect=item.get("redirect"),
            forbidden_redirect=item.get("forbidden_redirect"),
            api=item.get("api", False),
        )
    except RuleConfigError as exc:
        raise RuleConfigError(f"{where}: {exc}") from None


def rules_from_data(data: Iterable[Mapping[str, Any]]) -> list[Rule]:
    """Rules from plain data, e.g. ``[{"path": "/admin/**", "roles": ["admin"]}]``.

    Keys: ``path`` (required), ``methods``, ``public``, ``signed_in``, ``roles``, ``redirect``,
    ``forbidden_redirect``, ``api`` (and ``allow``, a callable, when built in code).

    :raises RuleConfigError: on an unknown key, a wrong type or conflicting options.
    """
    if isinstance(data, Mapping | str | bytes):
        raise RuleConfigError("rules must be a list of rule mappings")
    rules = []
    for index, item in enumerate(data):
        if not isinstance(item, Mapping):
            raise RuleConfigError(f"rules[{index}]: expected a mapping, got {item!r}")
        rules.append(_from_mapping(item, f"rules[{index}]"))
    return rules


def coerce_rules(rules: Iterable[Rule | Mapping[str, Any] | tuple[Any, ...]]) -> list[Rule]:
    """Rules from any mix of :class:`Rule`, data mappings and ``(pattern, requirement)`` pairs.

    A pair's requirement is ``"public"``, ``"signed_in"``, an ``allow`` predicate, or a mapping
    of the data keys other than ``path``: ``("/admin/**", {"roles": ["admin"]})``.

    :raises RuleConfigError: for anything else.
    """
    if isinstance(rules, Mapping | str | bytes):
        raise RuleConfigError("rules must be a list of rules")
    result: list[Rule] = []
    for index, item in enumerate(rules):
        where = f"rules[{index}]"
        if isinstance(item, Rule):
            result.append(item)
        elif isinstance(item, Mapping):
            result.append(_from_mapping(item, where))
        elif isinstance(item, tuple) and len(item) == 2:
            result.append(_from_pair(item[0], item[1], where))
        else:
            raise RuleConfigError(f"{where}: expected a Rule, a mapping or a pair, got {item!r}")
    return result


def _from_pair(pattern: Any, requirement: Any, where: str) -> Rule:
    if isinstance(requirement, Mapping):
        if "path" in requirement:
            raise RuleConfigError(f"{where}: the pair already gives the path")
        return _from_mapping({"path": pattern, **requirement}, where)
    if requirement == "public":
        return _from_mapping({"path": pattern, "public": True}, where)
    if requirement == "signed_in":
        return _from_mapping({"path": pattern, "signed_in": True}, where)
    if callable(requirement):
        return _from_mapping({"path": pattern, "allow": requirement}, where)
    raise RuleConfigError(
        f"{where}: requirement must be 'public', 'signed_in', a predicate or a mapping"
    )
