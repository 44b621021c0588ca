"""The ``authmw`` command: ``authmw secret`` and ``authmw rules CONFIG PATH``.

``authmw rules`` answers "what happens on this path?" by running the real
:class:`~authmw.RulesMiddleware` on a request for each kind of visitor, so what it prints is what
the middleware does, not a second opinion.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from .errors import ConfigurationError

if TYPE_CHECKING:
    from ._types import StartResponse, WSGIEnvironment

SECRET_BYTES = 32


def _secret(args: argparse.Namespace) -> int:
    value = secrets.token_urlsafe(args.bytes)
    print(f'AUTHMW_SECRET="{value}"' if args.env else value)
    return 0


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
    commands = parser.add_subparsers(dest="command", required=True)
    secret = commands.add_parser("secret", help="print a new random secret (for AUTHMW_SECRET)")
    secret.add_argument("--bytes", type=int, default=SECRET_BYTES, help="random bytes (32)")
    secret.add_argument("--env", action="store_true", help='print AUTHMW_SECRET="..."')
    secret.set_defaults(run=_secret)
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 usage or configuration error)."""
    args = _parser().parse_args(argv)
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
