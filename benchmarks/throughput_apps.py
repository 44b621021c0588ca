"""The two apps benchmarks/throughput.py serves with gunicorn (same secret in every worker)."""

from __future__ import annotations

from authmw import Auth
from benchmarks.overhead import RULE_COUNT, SECRET, bare_app, rules

auth = Auth(secret=SECRET, url="http://127.0.0.1")
bare = bare_app
wrapped = auth.wrap(bare_app, rules=rules(RULE_COUNT))


def session_cookie() -> str:
    codec = auth.realm({}).session_codec
    token = codec.encode({"sub": "1", "name": "Alice", "email": "alice@example.com"}, max_age=86400)
    return f"authmw.session-token={token}"
