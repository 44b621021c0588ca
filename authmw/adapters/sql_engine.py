"""From what a user wrote (a URL, a SQLite path) to a configured SQLAlchemy engine.

Bounded timeouts everywhere, psycopg 3 for PostgreSQL, WAL and foreign keys for SQLite, one
shared connection for in-memory SQLite (``sqlite://``), and a :class:`ConfigurationError` that
names the fix for anything else: a string that is neither a URL nor clearly a file path, or a
driver that is not installed. A forked process (a gunicorn worker) starts with an empty pool.
"""

from __future__ import annotations

import os
import select
import weakref
from pathlib import Path
from typing import Any

from ..errors import ConfigurationError, missing_extra

try:
    import sqlalchemy as sa
except ModuleNotFoundError as error:  # pragma: no cover - tested in a subprocess
    raise missing_extra(error, "sql") from error
from sqlalchemy import exc
from sqlalchemy.engine import URL, Engine
from sqlalchemy.pool import StaticPool

__all__ = ["database_url", "make_engine"]

#: A bare string is taken as a SQLite file only when it clearly names one.
SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")
_DRIVER_EXTRAS = {"postgresql": "postgres", "sqlite": "sql"}


def database_url(target: str | Path) -> URL:
    """The SQLAlchemy URL for *target*; ``postgresql://`` is rewritten to psycopg 3.

    :raises ConfigurationError: *target* is neither a URL nor a SQLite path (a ``Path``, or a
        string with a ``/`` or ending in ``.db``, ``.sqlite`` or ``.sqlite3``).
    """
    if isinstance(target, Path):
        return URL.create("sqlite", database=str(target))
    text = target.strip()
    if "://" in text:
        try:
            url = sa.make_url(text)
        except (exc.ArgumentError, ValueError):
            raise ConfigurationError(f"not a database URL: {_shown(text)}") from None
    elif text.endswith(SQLITE_SUFFIXES) or "/" in text:
        return URL.create("sqlite", database=text)
    else:
        raise ConfigurationError(
            f"SQLAdapter needs a database URL (sqlite:///auth.db, postgresql://host/db) or a "
            f"SQLite file path ending in .db, .sqlite or .sqlite3; got {_shown(text)}"
        )
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def make_engine(target: str | Path, timeout: float, options: dict[str, Any]) -> Engine:
    """An engine for *target* whose connect, lock and pool waits end after *timeout* seconds."""
    url = database_url(target)
    backend = url.get_backend_name()
    # PostgreSQL: pinging every checkout would double the round trips of a session read;
    # a connection is pinged only when its socket says the server spoke or hung up. SQLite:
    # a connection to a file never goes stale.
    ping = backend not in ("postgresql", "sqlite")
    options = {"pool_pre_ping": ping, "pool_timeout": timeout, "hide_parameters": True, **options}
    connect_args = dict(options.pop("connect_args", {}))
    if backend == "postgresql":
        connect_args.setdefault("connect_timeout", max(1, round(timeout)))
    elif backend == "sqlite":
        connect_args.setdefault("timeout", timeout)
        if url.database in (None, "", ":memory:"):
            # every connection of an in-memory database is a new, empty database: share one
            options.pop("pool_timeout", None)
            options.setdefault("poolclass", StaticPool)
            connect_args.setdefault("check_same_thread", False)
    try:
        engine = sa.create_engine(url, connect_args=connect_args, **options)
    except ModuleNotFoundError as error:
        extra = _DRIVER_EXTRAS.get(backend, "sql")
        raise ConfigurationError(
            f"the {backend} driver is not installed ({error.name}): pip install 'authmw[{extra}]'"
        ) from None
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas(int(timeout * 1000)))
    elif not engine.pool._pre_ping:
        sa.event.listen(engine.pool, "checkout", _ping_if_spoken_to(engine))
    if not isinstance(engine.pool, StaticPool):  # in-memory SQLite lives in its one connection
        _fresh_pool_after_fork(engine)
    return engine


def _fresh_pool_after_fork(engine: Engine) -> None:
    """Give a forked child (gunicorn ``--preload``) its own pool: two processes on one socket
    garble each other's replies. ``close=False`` leaves the parent's connections open."""
    ref = weakref.ref(engine)

    def in_child() -> None:
        alive = ref()
        if alive is not None:
            alive.dispose(close=False)

    os.register_at_fork(after_in_child=in_child)


def _ping_if_spoken_to(engine: Engine) -> Any:
    """A checkout check costing no round trip: an idle connection's socket is readable only
    when the server sent something (a restart or ``pg_terminate_backend`` sends a FATAL error
    and closes it); only then is it pinged, and a failed ping replaces the connection."""

    def on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        fileno = getattr(dbapi_connection, "fileno", None)
        try:
            readable = select.select([fileno()], [], [], 0)[0] if fileno else [True]
        except (OSError, ValueError):
            readable = [True]
        if not readable:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception:
            alive = False
        if not alive:
            raise exc.DisconnectionError("the server closed the connection")

    return on_checkout


def _sqlite_pragmas(busy_ms: int) -> Any:
    pragmas = (f"busy_timeout = {busy_ms}", "foreign_keys = ON", "journal_mode = WAL")

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        for pragma in (*pragmas, "synchronous = NORMAL"):
            dbapi_connection.execute(f"PRAGMA {pragma}")

    return on_connect


def _shown(text: str) -> str:
    """*text* for an error message, unless it may hold a password."""
    return "<hidden: it contains '@'>" if "@" in text else repr(text[:200])
