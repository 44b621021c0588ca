"""The SQL adapter's shared state (:class:`~authmw.state.SharedState`) in one table.

Each operation is one upsert statement (``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``),
atomic on SQLite and PostgreSQL alike: a marker is added by exactly one of many concurrent
callers, and concurrent increments never lose a count.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from .base import now, utc

__all__ = ["SQLSharedState"]


class SQLSharedState:
    """Markers and fixed-window counters in the ``{prefix}shared_state`` table.

    :param table: the table from :func:`authmw.adapters.sql_schema.tables`.
    :param begin: the adapter's transaction (maps driver errors to adapter errors).
    """

    def __init__(
        self, table: sa.Table, begin: Callable[[], AbstractContextManager[Connection]]
    ) -> None:
        self.table = table
        self._begin = begin

    def _upsert(self, conn: Connection, key: str, expires: datetime, amount: int) -> Any:
        insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
        row = self.table.c
        moment = now()
        statement = insert(self.table).values(key=key, count=amount, expires=utc(expires))
        expired = row.expires <= moment
        return statement.on_conflict_do_update(
            index_elements=[row.key],
            set_={
                "count": sa.case((expired, statement.excluded.count), else_=row.count + amount),
                "expires": sa.case((expired, statement.excluded.expires), else_=row.expires),
            },
        )

    def add_marker(self, key: str, expires: datetime) -> bool:
        with self._begin() as conn:
            count = conn.execute(self._upsert(conn, key, expires, 1).returning(self.table.c.count))
            return int(count.scalar_one()) == 1

    def has_marker(self, key: str) -> bool:
        return self.count(key)[0] > 0

    def increment(self, key: str, expires: datetime, amount: int = 1) -> tuple[int, datetime]:
        row = self.table.c
        with self._begin() as conn:
            result = conn.execute(
                self._upsert(conn, key, expires, amount).returning(row.count, row.expires)
            ).one()
        return int(result[0]), result[1]

    def any_marker(self, keys: list[str]) -> bool:
        row = self.table.c
        query = sa.select(row.key).where(row.key.in_(keys), row.expires > now()).limit(1)
        with self._begin() as conn:
            return conn.execute(query).first() is not None

    def put_value(self, key: str, value: str, expires: datetime) -> None:
        with self._begin() as conn:
            insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
            statement = insert(self.table).values(
                key=key, count=1, value=value, expires=utc(expires)
            )
            excluded = statement.excluded
            conn.execute(
                statement.on_conflict_do_update(
                    index_elements=[self.table.c.key],
                    set_={"count": 1, "value": excluded.value, "expires": excluded.expires},
                )
            )

    def get_value(self, key: str) -> str | None:
        row = self.table.c
        query = sa.select(row.value).where(row.key == key, row.expires > now())
        with self._begin() as conn:
            found = conn.execute(query).first()
        return None if found is None else found[0]

    def count(self, key: str) -> tuple[int, datetime | None]:
        row = self.table.c
        query = sa.select(row.count, row.expires).where(row.key == key, row.expires > now())
        with self._begin() as conn:
            found = conn.execute(query).first()
        return (0, None) if found is None else (int(found[0]), found[1])

    def clear(self, key: str) -> None:
        with self._begin() as conn:
            conn.execute(self.table.delete().where(self.table.c.key == key))

    def purge_expired(self, conn: Connection) -> int:
        """Delete expired markers and counters inside the caller's transaction."""
        return int(conn.execute(self.table.delete().where(self.table.c.expires <= now())).rowcount)
