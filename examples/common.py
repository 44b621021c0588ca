"""What every example app shares: the demo users, their roles, the callbacks and the rules.

The passwords are hashed with PBKDF2 so the example shows the right habit; in a real app the
users live in your database.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import sys
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from authmw import Auth, ConfigurationError, CredentialsProvider
from authmw.adapters import AdapterError
from authmw.env import SECRET_VARIABLES, first_set

_ITERATIONS = 100_000


def _hash(password: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, _ITERATIONS)


def _user(id: str, name: str, email: str, role: str, password: str) -> dict[str, Any]:
    salt = secrets.token_bytes(16)
    return {
        "id": id,
        "name": name,
        "email": email,
        "role": role,
        "salt": salt,
        "hash": _hash(password, salt),
    }


DEMO_USERS = {
    user["email"]: user
    for user in (
        _user("1", "Alice", "alice@example.com", "user", "alice-password"),
        _user("2", "Admin", "admin@example.com", "admin", "admin-password"),
    )
}

#: Protection rules as plain data, as they could come from a config file.
RULES: list[dict[str, Any]] = [
    {"path": "/dashboard/**", "signed_in": True},
    {"path": "/admin/**", "roles": ["admin"]},
    {"path": "/api/me", "signed_in": True, "api": True},
]


def authorize(credentials: dict[str, str], request: Any) -> dict[str, Any] | None:
    """Check an email and password against the demo users (constant-time hash compare)."""
    user = DEMO_USERS.get(credentials.get("email", ""))
    salt = user["salt"] if user else b"\0" * 16
    expected = user["hash"] if user else b""
    ok = hmac.compare_digest(_hash(credentials.get("password", ""), salt), expected)
    if not (user and ok):
        return None
    return {k: user[k] for k in ("id", "name", "email", "role")}


def demo_account(email: str | None) -> dict[str, Any] | None:
    """The demo user with *email*, whichever way they signed in (password or email link)."""
    return DEMO_USERS.get((email or "").strip().lower())


def jwt_callback(token: dict[str, Any], user: dict[str, Any] | None = None) -> dict[str, Any]:
    """At sign-in, one account per address: a demo user keeps their id and role.

    An email link creates a user record of its own; mapping by address makes
    ``admin@example.com`` the same admin whether they used the password or the link.
    """
    if user is None:
        return token
    known = demo_account(user.get("email"))
    if known:
        token["sub"] = known["id"]
        token["role"] = known["role"]
    else:
        token["role"] = user.get("role", "user")
    return token


def session_callback(
    session: dict[str, Any],
    token: dict[str, Any] | None = None,
    user: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Expose the role (and the user id) to the app through the session.

    With jwt sessions both come from the token; with database sessions from the user
    record (a demo user by email keeps their role).
    """
    if token:
        session["user"]["role"] = token.get("role", "user")
        session["user"]["id"] = token.get("sub")
    elif user:
        known = demo_account(user.get("email"))
        session["user"]["role"] = known["role"] if known else "user"
        session["user"]["id"] = user.get("id")
    return session


def credentials_provider() -> CredentialsProvider:
    return CredentialsProvider(
        name="Email and password",
        authorize=authorize,
        credentials={
            "email": {"label": "Email", "type": "email", "placeholder": "alice@example.com"},
            "password": {"label": "Password", "type": "password"},
        },
    )


def secret_from_env() -> str:
    """``AUTHMW_SECRET`` (or NextAuth's names), else a fresh development secret (announced)."""
    found = first_set(SECRET_VARIABLES)
    if found:
        return found[1]
    print(
        "AUTHMW_SECRET is not set: using a random development secret "
        "(sessions end when the server restarts).",
        file=sys.stderr,
    )
    return secrets.token_urlsafe(32)


#: Set to ``1`` to turn on ``sign_out_of_provider`` for the OpenID Connect providers configured
#: from the environment: signing out of the demo signs out of the provider too.
SIGN_OUT_OF_PROVIDER = "AUTHMW_SIGN_OUT_OF_PROVIDER"


def preset_options(environ: Mapping[str, str] | None = None) -> dict[str, dict[str, Any]]:
    """Per-preset options for :func:`~authmw.providers.presets.from_environment`: with
    ``AUTHMW_SIGN_OUT_OF_PROVIDER=1``, ``sign_out_of_provider`` on every OpenID Connect preset.

    :raises ConfigurationError: the variable is set to something other than ``1`` or ``0``.
    """
    from authmw.providers.oidc import OIDCProvider
    from authmw.providers.presets import PRESETS

    env = os.environ if environ is None else environ
    value = env.get(SIGN_OUT_OF_PROVIDER, "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return {}
    if value not in ("1", "true", "yes", "on"):
        raise ConfigurationError(f"{SIGN_OUT_OF_PROVIDER} must be 1 or 0, not {value!r}")
    return {
        preset_id.replace("-", "_"): {"sign_out_of_provider": True}
        for preset_id, (cls, _) in PRESETS.items()
        if issubclass(cls, OIDCProvider)
    }


def make_auth(*, secret: str | None = None, url: str, **options: Any) -> Auth:
    """The examples' authmw configuration: password and email sign-in, any OAuth provider
    configured in the environment (see :func:`preset_options`), and the store of
    :mod:`examples.demo.storage`."""
    from authmw.providers.presets import from_environment

    from .demo.storage import demo_options

    options = {**demo_options(), **options}
    extra_providers = options.pop("extra_providers", ())
    configured = from_environment(**preset_options())
    providers: list[Any] = [credentials_provider(), *extra_providers, *configured]
    auth = Auth(
        secret=secret or secret_from_env(),
        url=url,
        providers=providers,
        callbacks={"jwt": jwt_callback, "session": session_callback},
        theme={"brand_color": "#4f46e5"},
        **options,
    )
    print(f"authmw: providers enabled: {', '.join(auth.providers)}", file=sys.stderr)
    leaving = [p.id for p in configured if getattr(p, "sign_out_of_provider", False)]
    if leaving:
        print(f"authmw: sign-out also signs out of: {', '.join(leaving)}", file=sys.stderr)
    return auth


def server_address() -> tuple[str, int, str]:
    """``$HOST``/``$PORT`` (127.0.0.1:8000) and the public URL (``AUTHMW_URL`` or derived).

    :raises ConfigurationError: ``$PORT`` is not a port number.
    """
    host = os.environ.get("HOST", "127.0.0.1")
    text = os.environ.get("PORT", "8000")
    port = int(text) if text.isdigit() and text.isascii() else 0
    if not 0 < port < 65536:
        raise ConfigurationError(f"PORT must be a number from 1 to 65535, not {text!r}")
    url = os.environ.get("AUTHMW_URL") or f"http://{host}:{port}"
    return host, port, url


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def canonical_loopback(app: Any, url: str) -> Any:
    """Send the other loopback spellings of *url*'s origin (``localhost`` for ``127.0.0.1``)
    to *url* itself, so a development server answers on both with cookies that work.

    authmw accepts one origin: a form posted from ``http://localhost:8000`` to a demo
    configured as ``http://127.0.0.1:8000`` is cross-site to it.
    """
    parts = urlsplit(url)
    aliases = {f"{host}:{parts.port}" for host in LOOPBACK_HOSTS} - {parts.netloc}

    def redirect_aliases(environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("HTTP_HOST") not in aliases:
            return app(environ, start_response)
        query = environ.get("QUERY_STRING")
        target = url + quote(environ.get("PATH_INFO") or "/") + (f"?{query}" if query else "")
        safe = environ.get("REQUEST_METHOD") in ("GET", "HEAD")
        status = "302 Found" if safe else "308 Permanent Redirect"
        start_response(status, [("Location", target), ("Content-Length", "0")])
        return [b""]

    return redirect_aliases


def serve_example(create_app: Any, label: str) -> None:
    """Serve ``create_app(url=...)`` with waitress on ``$HOST:$PORT`` and print where."""
    from waitress import create_server

    try:
        host, port, url = server_address()
        app = create_app(url=url)
    except ConfigurationError as error:
        print(f"authmw: configuration error: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    except AdapterError as error:  # the store is reached at start to create its tables
        print(f"authmw: cannot start: {error}", file=sys.stderr)
        raise SystemExit(1) from None
    if not os.environ.get("AUTHMW_URL") and host in LOOPBACK_HOSTS:
        app = canonical_loopback(app, url)
    try:  # a port in use, a host this machine does not have
        server = create_server(app, host=host, port=port, threads=8)
    except (OSError, ValueError) as error:
        print(f"authmw: cannot listen on {host}:{port}: {error}", file=sys.stderr)
        raise SystemExit(1) from None
    print(
        f"{label} on {url}\n"
        "  sign in as alice@example.com / alice-password or admin@example.com / admin-password",
        flush=True,
    )
    # Under load waitress logs "Task queue depth is N" for every queued request: a flood, not
    # news, for a demo. Queued requests still get served; real errors still get logged.
    logging.basicConfig()
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    server.run()
