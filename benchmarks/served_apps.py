"""The apps benchmarks/served.py serves: ``bare`` and ``wrapped`` (store from the environment).

``AUTHMW_BENCH_STORE``: ``jwt`` (default), ``sqlite:<path>``, ``postgres:<url>`` or
``redis:<url>``; the database sessions are made by served.py before the servers start.
"""

from __future__ import annotations

import os
from typing import Any

from authmw import Auth
from benchmarks.overhead import RULE_COUNT, SECRET, bare_app, rules

bare = bare_app


def _adapter(store: str) -> Any:
    kind, _, target = store.partition(":")
    if kind == "sqlite":
        from authmw.adapters.sql import SQLAdapter

        return SQLAdapter(f"sqlite:///{target}")
    if kind == "postgres":
        from authmw.adapters.sql import SQLAdapter

        return SQLAdapter(target)
    if kind == "redis":
        from authmw.adapters.redis import RedisAdapter

        return RedisAdapter(target)
    return None


def build(store: str) -> Any:
    adapter = _adapter(store)
    options: dict[str, Any] = {"secret": SECRET, "url": "http://127.0.0.1"}
    if adapter is not None:
        options.update(adapter=adapter, session={"strategy": "database"})
    return Auth(**options)


auth = build(os.environ.get("AUTHMW_BENCH_STORE", "jwt"))
wrapped = auth.wrap(bare_app, rules=rules(RULE_COUNT))
