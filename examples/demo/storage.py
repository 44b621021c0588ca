"""Where the demo keeps users and sessions, and how it sends sign-in links, from the environment.

- ``AUTHMW_DATABASE_URL``: ``sqlite:///path``, a plain file path, ``postgresql://...`` or
  ``redis://...``. Default: the SQLite file ``demo.sqlite3`` at the top of this checkout
  (ignored by git), so the demo works with no settings and two checkouts never share users.
- ``AUTHMW_SESSION_STRATEGY``: ``jwt`` (default: encrypted cookie sessions) or ``database``.
- ``AUTHMW_SMTP_URL``: send links by SMTP (``smtp://user:pass@host:587``); without it the links
  are printed to the terminal by :class:`~authmw.mail.ConsoleSender`.

``demo_options()`` returns keyword arguments for :class:`authmw.Auth` (``adapter``, ``session``
and ``extra_providers``: the email provider, to add to the demo's own providers).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from authmw.adapters import from_url
from authmw.mail import ConsoleSender, sender_from_env
from authmw.providers.email import EmailProvider

DEFAULT_DATABASE = Path(__file__).resolve().parents[2] / "demo.sqlite3"


def make_adapter(url: str | None) -> Any:
    """The adapter for *url* (Redis for ``redis://``, SQL otherwise), tables created."""
    return from_url(url or DEFAULT_DATABASE, create_tables=True)


def demo_options(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Auth options from the environment: ``adapter``, ``session`` and ``extra_providers``."""
    env = dict(os.environ) if environ is None else environ
    strategy = env.get("AUTHMW_SESSION_STRATEGY", "jwt").strip().lower() or "jwt"
    if strategy not in ("jwt", "database"):
        raise SystemExit("AUTHMW_SESSION_STRATEGY must be 'jwt' or 'database'")
    url = env.get("AUTHMW_DATABASE_URL") or None
    adapter = make_adapter(url)
    where = url or str(DEFAULT_DATABASE)
    sender = sender_from_env(env)
    if sender is None:
        sender = ConsoleSender()
        print("AUTHMW_SMTP_URL is not set: sign-in links are printed here.", file=sys.stderr)
    print(f"authmw demo: {strategy} sessions, users in {_redacted(where)}", file=sys.stderr)
    return {
        "adapter": adapter,
        "session": {"strategy": strategy},
        "extra_providers": [EmailProvider(sender=sender)],
    }


def _redacted(url: str) -> str:
    """*url* without a password, for the start-up message."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in credentials else url
