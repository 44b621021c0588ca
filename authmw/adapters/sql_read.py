"""The database-session read of the SQL adapter: one statement, one round trip.

The session row, its user and (optionally) one live shared-state value come back from a single
``SELECT ... JOIN users LEFT JOIN shared_state``, run outside any transaction (autocommit: no
``BEGIN``/``COMMIT`` around a read of one statement, which is atomic on its own).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from .base import AdapterSession, User, now

__all__ = ["autocommit", "session_query", "split_row"]


@contextmanager
def autocommit(engine: Engine) -> Iterator[Connection]:
    """A pooled connection in autocommit mode, for one read statement."""
    with engine.connect() as conn:
        yield conn.execution_options(isolation_level="AUTOCOMMIT")


def session_query(
    sessions: sa.Table, users: sa.Table, state: sa.Table, session_token: str, state_key: str | None
) -> sa.Select[Any]:
    """Session row + user (+ the live value of *state_key*) for hashed *session_token*."""
    s, st = sessions.c, state.c
    query = sa.select(sessions, users).join(users, users.c.id == s.user_id)
    if state_key is not None:
        live = sa.and_(st.key == state_key, st.expires > now())
        query = query.add_columns(st.value).outerjoin(state, live)
    return query.where(s.session_token == session_token)


def split_row(row: Any, with_value: bool) -> tuple[AdapterSession, User, str | None]:
    """The row of :func:`session_query` as (session, user, state value)."""
    values = row._tuple()
    if with_value:
        return AdapterSession(*values[:3]), User(*values[3:-1]), values[-1]
    return AdapterSession(*values[:3]), User(*values[3:]), None
