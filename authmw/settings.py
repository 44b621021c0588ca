"""String settings at the integration edge: ``.ini`` values to a configured :class:`~authmw.Auth`.

PasteDeploy and Pyramid hand settings over as strings. This module turns them into typed
values once, at start-up, and raises :class:`~authmw.ConfigurationError` for anything it cannot
read, so a typo never becomes an unprotected app at request time.

Recognised keys (after the prefix, ``authmw.`` for Pyramid, none for PasteDeploy):

``secret``
    One secret, or several separated by whitespace (oldest first is *not* assumed: the first
    encrypts and signs, as with ``Auth(secret=[...])``).
``url``, ``base_path``, ``cookie_prefix``
    Strings, as the :class:`~authmw.Auth` arguments.
``trust_host``, ``debug``
    Booleans (``true``/``false``, ``yes``/``no``, ``on``/``off``, ``1``/``0``).
``providers``
    Dotted names (``package.module:name``), whitespace separated. Each names a provider, a list of
    providers, or a function or class called without arguments that returns one of these.
``adapter``
    A dotted name of an adapter, or of a function or class returning one.
``callbacks.<name>``, ``events.<name>``
    Dotted names of callback and event functions (``callbacks.jwt = myapp.auth:jwt``).
``pages.<name>``
    Paths of your own pages (``pages.sign_in = /login``).
``session.strategy``, ``session.scheme``, ``session.max_age``, ``session.update_age``
    Session options (the ages in seconds).
``rate_limits``, ``rate_limits.<name>``
    ``rate_limits = off`` turns throttling off; ``rate_limits.<limit> = 10/15 minutes`` sets
    one limit (``off`` turns that one off), ``rate_limits.trusted_proxies`` is a count.
``template_dirs``
    Folders searched first for page templates.
``rules``
    Protection rules: JSON text, or the path of a JSON or TOML file (relative to ``here``).
``default``
    ``public`` (the default) or ``signed_in``: what paths no rule matches require.
"""

from __future__ import annotations

import json
import os
import pkgutil
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from inspect import isclass, isfunction, ismethod
from pathlib import Path
from typing import Any, Literal

from .config import Auth
from .errors import ConfigurationError
from .providers.base import Provider
from .throttle import RateLimits, coerce_rate_limits

_TRUE = frozenset({"true", "yes", "on", "1", "t", "y"})
_FALSE = frozenset({"false", "no", "off", "0", "f", "n", ""})
_SCALARS = ("url", "base_path", "cookie_prefix")
_FLAGS = ("trust_host", "debug")
_SESSION_INTS = ("max_age", "update_age")
_SECTIONS = ("callbacks", "events", "pages", "session", "rate_limits")
KNOWN_KEYS = frozenset(
    {"secret", *_SCALARS, *_FLAGS, "providers", "adapter", "template_dirs", "rules", "default"}
    | {"rate_limits"}
)


def asbool(value: object) -> bool:
    """``True`` for ``true``/``yes``/``on``/``1`` (any case); ``False`` for their opposites.

    :raises ConfigurationError: for any other string.
    """
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConfigurationError(f"not a boolean: {value!r}")


def aslist(value: object) -> list[str]:
    """Split a setting on whitespace (newlines included); lists pass through as strings."""
    if value is None:
        return []
    if isinstance(value, str):
        return value.split()
    if isinstance(value, Iterable):
        return [str(item) for item in value]
    return [str(value)]


def asint(value: object, name: str = "value") -> int:
    """An integer setting.

    :raises ConfigurationError: when *value* is not a whole number.
    """
    if isinstance(value, bool):
        raise ConfigurationError(f"{name} must be an integer, got {value!r}")
    try:
        return int(str(value).strip())
    except ValueError:
        raise ConfigurationError(f"{name} must be an integer, got {value!r}") from None


def resolve(dotted: str) -> Any:
    """Import ``package.module:name`` (or ``package.module.name``).

    :raises ConfigurationError: when it cannot be imported.
    """
    try:
        return pkgutil.resolve_name(dotted)
    except (ImportError, AttributeError, ValueError) as exc:
        raise ConfigurationError(f"cannot import {dotted!r}: {exc}") from exc


def _instance(obj: Any) -> Any:
    """Call factories (functions, classes, methods); return anything else as it is."""
    return obj() if isclass(obj) or isfunction(obj) or ismethod(obj) else obj


def load_providers(value: object) -> list[Provider]:
    """Providers from dotted names; see the module docstring."""
    providers: list[Provider] = []
    for dotted in aslist(value):
        obj = _instance(resolve(dotted))
        items = obj if isinstance(obj, list | tuple) else [obj]
        for item in items:
            if not isinstance(item, Provider):
                raise ConfigurationError(f"{dotted!r} is not a provider: {item!r}")
            providers.append(item)
    return providers


@dataclass(frozen=True)
class RuleSet:
    """Rules read from settings or a file, and what unmatched paths require."""

    rules: list[dict[str, Any]] = field(default_factory=list)
    default: Literal["public", "signed_in"] | None = None


def _as_default(value: object) -> Literal["public", "signed_in"]:
    if value not in ("public", "signed_in"):
        raise ConfigurationError(f"default must be 'public' or 'signed_in', got {value!r}")
    return value


def parse_rules(data: Any, *, source: str = "rules") -> RuleSet:
    """A list of rule mappings, or a mapping with ``rules`` (and optionally ``default``)."""
    default = None
    if isinstance(data, Mapping):
        unknown = set(data) - {"rules", "default"}
        if unknown:
            raise ConfigurationError(f"{source}: unknown keys {', '.join(sorted(unknown))}")
        if "default" in data:
            default = _as_default(data["default"])
        data = data.get("rules", [])
    if not isinstance(data, list) or not all(isinstance(item, Mapping) for item in data):
        raise ConfigurationError(f"{source}: expected a list of rule tables")
    rules = [dict(item) for item in data]
    from .rules import RuleConfigError, coerce_rules

    try:
        coerce_rules(rules)  # validate now: a bad rule must stop start-up
    except RuleConfigError as exc:
        raise ConfigurationError(f"{source}: {exc}") from exc
    return RuleSet(rules, default)


def load_rules(
    value: str | os.PathLike[str], *, here: str | os.PathLike[str] | None = None
) -> RuleSet:
    """Rules from JSON text, or from a ``.json`` or ``.toml`` file (relative to *here*).

    :raises ConfigurationError: when the text or file cannot be read or holds invalid rules.
    """
    text = str(value).strip()
    if text.startswith(("[", "{")):
        try:
            return parse_rules(json.loads(text))
        except json.JSONDecodeError as exc:
            raise ConfigurationError(f"rules: invalid JSON: {exc}") from exc
    path = Path(os.path.expanduser(text))
    if not path.is_absolute() and here is not None:
        path = Path(here) / path
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigurationError(f"rules: cannot read {str(path)!r}: {exc.strerror}") from exc
    try:
        if path.suffix.lower() == ".toml":
            data: Any = tomllib.loads(raw.decode("utf-8"))
        else:
            data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError and TOMLDecodeError
        raise ConfigurationError(f"rules: cannot parse {path.name}: {exc}") from exc
    return parse_rules(data, source=path.name)


def load_rate_limits(switch: object, limits: Mapping[str, Any]) -> RateLimits:
    """``rate_limits`` (on/off) and ``rate_limits.<name>`` settings as :class:`RateLimits`.

    :raises ConfigurationError: a bad value, an unknown name, or limits set while ``off``.
    """
    if switch is not None and not asbool(switch):
        if limits:
            raise ConfigurationError("rate_limits = off, yet rate_limits.<name> is set")
        return coerce_rate_limits(False)
    values: dict[str, Any] = {}
    for name, value in limits.items():
        text = str(value).strip()
        if name == "trusted_proxies":
            values[name] = asint(text, "rate_limits.trusted_proxies")
        else:
            values[name] = None if text.lower() in ("off", "none") else text
    return coerce_rate_limits(values)


@dataclass(frozen=True)
class AuthSettings:
    """What :func:`auth_from_settings` builds: the configuration and the protection rules."""

    auth: Auth
    rules: list[dict[str, Any]]
    default: Literal["public", "signed_in"]


def _sections(settings: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    sections: dict[str, dict[str, Any]] = {name: {} for name in _SECTIONS}
    for key, value in settings.items():
        section, dot, name = key.partition(".")
        if not dot:
            if key not in KNOWN_KEYS:
                raise ConfigurationError(f"unknown authmw setting {key!r}")
            continue
        if section not in sections or not name:
            raise ConfigurationError(f"unknown authmw setting {key!r}")
        sections[section][name] = value
    return sections


def auth_from_settings(
    settings: Mapping[str, Any],
    *,
    prefix: str = "",
    here: str | os.PathLike[str] | None = None,
    **overrides: Any,
) -> AuthSettings:
    """Build :class:`~authmw.Auth` and the rules from string *settings*.

    :param settings: the settings; only keys starting with *prefix* are read.
    :param prefix: e.g. ``"authmw."`` for a Pyramid settings dict.
    :param here: folder that relative rule-file paths are resolved against.
    :param overrides: ``Auth`` keyword arguments that win over the settings.
    :raises ConfigurationError: for unknown keys and unreadable values.
    """
    own = {key[len(prefix) :]: value for key, value in settings.items() if key.startswith(prefix)}
    sections = _sections(own)
    options: dict[str, Any] = {}
    if "secret" in own:
        secrets = aslist(own["secret"])
        options["secret"] = secrets[0] if len(secrets) == 1 else secrets
    for key in _SCALARS:
        if key in own:
            options[key] = str(own[key]).strip()
    for key in _FLAGS:
        if key in own:
            options[key] = asbool(own[key])
    if "providers" in own:
        options["providers"] = load_providers(own["providers"])
    if "adapter" in own:
        options["adapter"] = _instance(resolve(str(own["adapter"]).strip()))
    if "template_dirs" in own:
        options["template_dirs"] = aslist(own["template_dirs"])
    for section in ("callbacks", "events"):
        if sections[section]:
            options[section] = {k: resolve(str(v).strip()) for k, v in sections[section].items()}
    if sections["pages"]:
        options["pages"] = {k: str(v).strip() for k, v in sections["pages"].items()}
    if sections["session"]:
        session = {k: str(v).strip() for k, v in sections["session"].items()}
        for key in _SESSION_INTS:
            if key in session:
                session[key] = asint(session[key], f"session.{key}")  # type: ignore[assignment]
        options["session"] = session
    if "rate_limits" in own or sections["rate_limits"]:
        options["rate_limits"] = load_rate_limits(own.get("rate_limits"), sections["rate_limits"])
    options.update(overrides)
    rule_set = load_rules(own["rules"], here=here) if own.get("rules") else RuleSet()
    default = rule_set.default or "public"
    if own.get("default"):
        default = _as_default(str(own["default"]).strip())
    return AuthSettings(auth=Auth(**options), rules=rule_set.rules, default=default)
