"""The app benchmarks/load.py serves with gunicorn: every worker of every instance is built from
the same settings (secret, url, the database in ``AUTHMW_LOAD_DATABASE_URL`` with the table or
key prefix in ``AUTHMW_LOAD_PREFIX``), as on several hosts behind a load balancer."""

from __future__ import annotations

import json
import os
from typing import Any

from authmw import Auth, CredentialsProvider, get_session
from authmw.adapters.redis import RedisAdapter
from authmw.adapters.sql import SQLAdapter

SECRET = "load-benchmark-secret-" + "x" * 32


def authorize(credentials: dict[str, str], request: Any) -> dict[str, Any] | None:
    """Any ``*@example.com`` signs in with the password ``pw-<address>``."""
    email = credentials.get("email", "")
    if email.endswith("@example.com") and credentials.get("password") == f"pw-{email}":
        return {"id": f"app-{email}", "email": email, "name": email.split("@")[0]}
    return None


def page(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    body = json.dumps({"session": get_session(environ)}).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]


def make_adapter(url: str, prefix: str, **options: Any) -> Any:
    if url.startswith("redis"):
        return RedisAdapter(url, prefix=f"{prefix}:", **options)
    return SQLAdapter(url, table_prefix=f"{prefix}_", **options)


def build() -> Any:
    adapter = make_adapter(os.environ["AUTHMW_LOAD_DATABASE_URL"], os.environ["AUTHMW_LOAD_PREFIX"])
    fields = {"email": {"label": "Email"}, "password": {"label": "Password", "type": "password"}}
    auth = Auth(
        secret=SECRET,
        url="http://127.0.0.1",
        adapter=adapter,
        providers=[CredentialsProvider(authorize=authorize, credentials=fields)],
    )
    return auth.wrap(page, rules=[{"path": "/dashboard/**", "signed_in": True}])


app = build() if "AUTHMW_LOAD_DATABASE_URL" in os.environ else None
