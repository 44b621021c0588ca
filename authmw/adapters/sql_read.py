"""The database-session read of the SQL adapter: one statement, one round trip.

The session row, its user and one live shared-state value (the session's sign-in time) come
back from a single ``SELECT ... JOIN users LEFT JOIN shared_state``. It is the hot path of
database sessions, so SQLAlchemy builds it once: the statement is compiled to the dialect's
SQL with its bind and result converters at construction, and each request runs it on a pooled
DBAPI connection (SQLAlchemy's per-execution bookkeeping cost several times the query on
SQLite). Driver errors are raised as SQLAlchemy's, and a connection the server dropped is
invalidated, exactly as ``Connection.execute`` does. On PostgreSQL the statement runs in
autocommit: no ``BEGIN``/``ROLLBACK`` round trips around one atomic statement.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from .base import AdapterSession, User, now

__all__ = ["SessionReader"]

_Convert = Callable[[Any], Any]


class SessionReader:
    """Reads a session, its user and one shared-state value in one statement."""

    def __init__(self, engine: Engine, sessions: sa.Table, users: sa.Table, state: sa.Table):
        s, st = sessions.c, state.c
        live = sa.and_(st.key == sa.bindparam("state_key"), st.expires > sa.bindparam("now"))
        query = (
            sa.select(sessions, users, st.value)
            .join(users, users.c.id == s.user_id)
            .outerjoin(state, live)
            .where(s.session_token == sa.bindparam("token"))
        )
        dialect = engine.dialect
        compiled = query.compile(dialect=dialect)
        self._engine = engine
        self._sql = str(compiled)
        self._order = list(compiled.positiontup or ()) if dialect.positional else None
        self._bind_time = _converter(st.expires.type.dialect_impl(dialect).bind_processor(dialect))
        self._columns: list[_Convert | None] = [
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in query.selected_columns
        ]
        self._autocommit = dialect.name == "postgresql"
        self._dialect = dialect
        self._failure = dialect.loaded_dbapi.Error

    def read(
        self, token: str, state_key: str | None
    ) -> tuple[AdapterSession, User, str | None] | None:
        """(session, user, value of *state_key* if live) for hashed *token*, or ``None``.

        :raises sqlalchemy.exc.DBAPIError: the driver failed (see :mod:`.sql_errors`).
        """
        named = {"token": token, "state_key": state_key or "", "now": self._bind_time(now())}
        params: Any = named if self._order is None else [named[key] for key in self._order]
        row = self._fetch(params)
        if row is None:
            return None
        values = [
            raw if convert is None else convert(raw)
            for convert, raw in zip(self._columns, row, strict=True)
        ]
        return AdapterSession(*values[:3]), User(*values[3:-1]), values[-1]

    def _fetch(self, params: Any) -> Any:
        dialect, failure = self._dialect, self._failure
        try:
            pooled = self._engine.raw_connection()
        except failure as error:  # could not connect: what Connection would raise
            raise self._wrapped(error, lost=True) from None
        driver: Any = pooled.driver_connection
        cursor = None
        try:
            if self._autocommit:
                driver.autocommit = True  # a local flag in psycopg: no round trip
            cursor = pooled.cursor()
            cursor.execute(self._sql, params)
            return cursor.fetchone()
        except failure as error:
            lost = dialect.is_disconnect(error, pooled, cursor)
            if lost:  # never hand this connection out again
                pooled.invalidate(error)
            raise self._wrapped(error, lost=lost) from None
        finally:
            with contextlib.suppress(failure):  # clean-up must not hide the first error
                if cursor is not None:
                    cursor.close()
                if self._autocommit and pooled.is_valid:
                    driver.autocommit = False
            pooled.close()

    def _wrapped(self, error: Exception, *, lost: bool) -> sa.exc.StatementError:
        """*error* as SQLAlchemy raises it from ``Connection.execute`` (no parameters)."""
        return sa.exc.DBAPIError.instance(
            self._sql,
            None,
            error,
            self._failure,
            hide_parameters=True,
            connection_invalidated=lost,
            dialect=self._dialect,
        )


def _converter(convert: _Convert | None) -> _Convert:
    return convert if convert is not None else _same


def _same(value: Any) -> Any:
    return value
