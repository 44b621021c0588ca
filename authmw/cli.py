"""The ``authmw`` command: ``authmw secret``, ``authmw check`` and ``authmw rules CONFIG PATH``.

``authmw rules`` answers "what happens on this path?" by running the real
:class:`~authmw.RulesMiddleware` on a request for each kind of visitor, so what it prints is what
the middleware does, not a second opinion.
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigurationError

if TYPE_CHECKING:
    from ._types import StartResponse, WSGIEnvironment

SECRET_BYTES = 32
_SECRET_LINE = re.compile(r"^\s*(export\s+)?AUTHMW_SECRET\s*=")


def _secret(args: argparse.Namespace) -> int:
    value = secrets.token_urlsafe(args.bytes)
    if args.env_file:
        verb = write_env_secret(Path(args.env_file), value)
        print(f"AUTHMW_SECRET {verb} in {args.env_file}")
        return 0
    print(f'AUTHMW_SECRET="{value}"' if args.env else value)
    return 0


def write_env_secret(path: Path, value: str) -> str:
    """Set ``AUTHMW_SECRET`` in the dotenv file *path*, keeping every other line.

    Returns ``"written"`` (new file or new line) or ``"replaced"``. A new file is private (0600).
    """
    line = f'AUTHMW_SECRET="{value}"'
    try:
        if not path.exists():
            path.touch(mode=0o600)
            path.write_text(line + "\n")
            return "written"
        lines = path.read_text(encoding="utf-8").splitlines()
        kept = [old for old in lines if not _SECRET_LINE.match(old)]
        path.write_text("\n".join([*kept, line]) + "\n", encoding="utf-8")
    except (OSError, UnicodeError) as error:
        raise ConfigurationError(f"cannot update {path}: {error}") from None
    return "replaced" if len(kept) != len(lines) else "written"


def _check(args: argparse.Namespace) -> int:
    from .adapters import AdapterError
    from .check import Finding, check_auth
    from .settings import load_rules

    rules: list[Any] = []
    rules_problem = None
    if args.rules:
        try:
            rules = list(load_rules(args.rules).rules)
        except ConfigurationError as error:
            rules_problem = Finding("rules", False, str(error))
    try:
        auth, app_rules = _configuration(args)
    except ConfigurationError as error:
        print(Finding("configuration", False, str(error)).line())
        return 1
    except AdapterError as error:  # an app factory that creates its tables meets the store
        print(Finding("store", False, f"failed while the app was built: {error}").line())
        return 1
    findings = check_auth(auth, rules or app_rules)
    if rules_problem:
        findings[-1] = rules_problem
    for finding in findings:
        print(finding.line())
    return 0 if all(finding.ok for finding in findings) else 1


def _configuration(args: argparse.Namespace) -> tuple[Any, list[Any]]:
    """The app's :class:`~authmw.Auth` and rules: from ``--app``, ``--ini`` or the environment."""
    from .settings import AuthSettings, resolve

    if args.app:
        target = resolve(args.app)
        built = target() if callable(target) and not hasattr(target, "providers") else target
        if isinstance(built, AuthSettings):
            return built.auth, list(built.rules)
        if not hasattr(built, "providers"):
            raise ConfigurationError(f"{args.app} is not an Auth (nor a function returning one)")
        return built, []
    if args.ini:
        settings = _ini_settings(Path(args.ini), args.name)
        return settings.auth, list(settings.rules)
    return _auth_from_environment(), []


def _ini_settings(path: Path, name: str) -> Any:
    import configparser

    from .settings import auth_from_settings

    parser = configparser.ConfigParser(defaults={"here": str(path.resolve().parent)})
    try:
        if not parser.read(path, encoding="utf-8"):
            raise ConfigurationError(f"cannot read {path}")
        found = {section: dict(parser.items(section)) for section in parser.sections()}
    except (configparser.Error, UnicodeError) as error:
        reason = " ".join(str(error).split())  # configparser's messages span lines
        raise ConfigurationError(f"{path} is not a readable .ini file: {reason}") from None
    for section in (f"app:{name}", f"filter:{name}", name):
        if section in found:
            values = found[section]
            prefix = "authmw." if any(key.startswith("authmw.") for key in values) else ""
            own = {k: v for k, v in values.items() if k.startswith(prefix) and k != "here"}
            return auth_from_settings(own, prefix=prefix, here=path.resolve().parent)
    raise ConfigurationError(f"{path} has no [app:{name}] or [filter:{name}] section")


def _auth_from_environment() -> Any:
    """``AUTHMW_SECRET``, ``AUTHMW_URL``, ``AUTHMW_<ID>_*`` presets, ``AUTHMW_DATABASE_URL``."""
    import os

    from .adapters import from_url
    from .config import Auth
    from .providers.presets import from_environment

    database = os.environ.get("AUTHMW_DATABASE_URL") or None
    adapter = from_url(database) if database else None
    return Auth(providers=from_environment(), adapter=adapter)


def _allowed(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"allowed"]


def _visitor(user: dict[str, Any] | None) -> Any:
    if user is None:
        return None
    from .session.model import Session

    return Session({"user": {"name": None, "image": None, **user}, "expires": ""})


def _outcome(app: Any, path: str, method: str, session: Any) -> str:
    path, _, query = path.partition("?")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "HTTP_HOST": "localhost",
        "wsgi.url_scheme": "http",
        "auth.session": session,
        "auth.token": None,
    }
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        seen["status"], seen["headers"] = status, dict(headers)
        return lambda data: None

    body = b"".join(app(environ, start_response))
    status: str = seen["status"]
    if body == b"allowed" and status.startswith("200"):
        return "allow"
    headers: dict[str, str] = seen["headers"]
    if "Location" in headers:
        return f"{status}: redirect to {headers['Location']}"
    if "json" in headers.get("Content-Type", ""):
        return f"{status}: JSON {body.decode('utf-8', 'replace')}"
    return status


def _rules(args: argparse.Namespace) -> int:
    from .rules import RuleMatcher, RulesMiddleware, coerce_rules
    from .settings import load_rules

    rule_set = load_rules(args.config)
    default = args.default or rule_set.default or "public"
    compiled = list(coerce_rules(rule_set.rules))
    base_path = args.base_path.rstrip("/")
    app = RulesMiddleware(
        _allowed,
        compiled,
        sign_in_url=args.sign_in_url or f"{base_path}/signin",
        default=default,
        exempt_prefixes=(base_path + "/",),
    )
    method = args.method.upper()
    path = args.path if args.path.startswith("/") else "/" + args.path
    print(f"{method} {path}")
    matched = RuleMatcher(compiled).match(path.partition("?")[0], method)
    if path.partition("?")[0].startswith(base_path + "/"):
        print(f"  auth endpoint under {base_path}: never protected by rules")
    elif matched is None:
        print(f"  no rule matches: default {default!r} applies")
    else:
        index = next(i for i, item in enumerate(compiled) if item is matched)
        print(f"  rule #{index + 1} matches: {json.dumps(rule_set.rules[index])}")
    visitors: list[tuple[str, dict[str, Any] | None]] = [
        ("anonymous", None),
        ("signed in", {"id": "cli", "email": "user@example.com"}),
    ]
    for role in args.role:
        visitors.append((f"role {role}", {"id": "cli", "email": "user@example.com", "role": role}))
    width = max(len(name) for name, _ in visitors) + 1
    for name, user in visitors:
        print(f"  {name + ':':<{width}} {_outcome(app, path, method, _visitor(user))}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="authmw", description="authmw command-line tools")
    parser.add_argument("--version", action="version", version=f"authmw {_version()}")
    commands = parser.add_subparsers(dest="command")
    secret = commands.add_parser("secret", help="print a new random secret (for AUTHMW_SECRET)")
    secret.add_argument("--bytes", type=int, default=SECRET_BYTES, help="random bytes (32)")
    secret.add_argument("--env", action="store_true", help='print AUTHMW_SECRET="..."')
    secret.add_argument(
        "--env-file", metavar="FILE", help="write or update AUTHMW_SECRET in FILE (e.g. .env)"
    )
    secret.set_defaults(run=_secret)
    check = commands.add_parser(
        "check", help="check the configuration: secret, url, providers, store, rules"
    )
    source = check.add_mutually_exclusive_group()
    source.add_argument("--app", help="your Auth object or a function returning it (pkg.mod:name)")
    source.add_argument("--ini", help="a Pyramid/PasteDeploy .ini file with the authmw settings")
    check.add_argument("--name", default="main", help="the [app:NAME] or [filter:NAME] (main)")
    check.add_argument("--rules", help="a JSON or TOML rules file to compile as well")
    check.set_defaults(run=_check)
    rules = commands.add_parser(
        "rules", help="show which rule matches PATH and what each visitor gets"
    )
    rules.add_argument("config", help="JSON or TOML file: a list of rules, or rules = [...]")
    rules.add_argument("path", help="request path, e.g. /admin/users?page=2")
    rules.add_argument("--method", default="GET", help="request method (GET)")
    rules.add_argument(
        "--role", action="append", default=[], help="also show a user with this role (repeatable)"
    )
    rules.add_argument("--default", choices=("public", "signed_in"), help="unmatched paths")
    rules.add_argument("--base-path", default="/api/auth", help="auth endpoints (/api/auth)")
    rules.add_argument("--sign-in-url", help="sign-in page (default BASE_PATH/signin)")
    rules.set_defaults(run=_rules)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("authmw")
    except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 check failed, 2 usage error)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if args.command == "secret" and args.bytes < SECRET_BYTES:
        print(f"error: --bytes must be at least {SECRET_BYTES}", file=sys.stderr)
        return 2
    from .rules import RuleConfigError

    try:
        status: int = args.run(args)
    except (ConfigurationError, RuleConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
