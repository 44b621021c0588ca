"""The database-session read of the SQL adapter: one statement, one round trip.

The session row, its user and one live shared-state value (the session's sign-in time) come
back from a single ``SELECT ... JOIN users LEFT JOIN shared_state``. The statement is built
once with bound parameters (building and caching a SQLAlchemy expression per request cost
more than the query). On PostgreSQL it runs in autocommit (no ``BEGIN``/``ROLLBACK`` round
trips around a read of one statement, atomic on its own); SQLite's driver opens no
transaction for a ``SELECT``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from .base import AdapterSession, User, now

__all__ = ["SessionReader"]


class SessionReader:
    """Reads a session, its user and one shared-state value in one statement."""

    def __init__(self, engine: Engine, sessions: sa.Table, users: sa.Table, state: sa.Table):
        s, st = sessions.c, state.c
        live = sa.and_(st.key == sa.bindparam("state_key"), st.expires > sa.bindparam("now"))
        self._query = (
            sa.select(sessions, users, st.value)
            .join(users, users.c.id == s.user_id)
            .outerjoin(state, live)
            .where(s.session_token == sa.bindparam("token"))
        )
        postgres = engine.dialect.name == "postgresql"
        self._engine = (
            engine.execution_options(isolation_level="AUTOCOMMIT") if postgres else engine
        )

    def read(
        self, token: str, state_key: str | None
    ) -> tuple[AdapterSession, User, str | None] | None:
        """(session, user, value of *state_key* if live) for hashed *token*, or ``None``."""
        params = {"token": token, "state_key": state_key or "", "now": now()}
        with self._engine.connect() as conn:
            row: Any = conn.execute(self._query, params).first()
        if row is None:
            return None
        values = row._tuple()
        return AdapterSession(*values[:3]), User(*values[3:-1]), values[-1]
