"""SQL adapter on SQLAlchemy Core: SQLite (embedded default) and PostgreSQL (psycopg 3).

The tables are in :mod:`authmw.adapters.sql_schema`; create them with :meth:`SQLAdapter.create_all`
or ``create_tables=True``. Connections come from SQLAlchemy's pool with bounded connect, lock and
pool timeouts; a dead one is replaced, so the adapter recovers after a database restart (SQLite:
pre-ping; PostgreSQL: a ping only when the idle socket shows the server spoke or hung up, so a
session read stays one round trip). SQLite connections use WAL, ``busy_timeout`` and foreign
keys. Every write is one statement (``UPDATE``/``DELETE ... RETURNING``), which makes token use
atomic on both databases.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import missing_extra
from ..util.periodic import AtMostEvery

try:
    import sqlalchemy as sa
except ModuleNotFoundError as error:  # pragma: no cover - tested in a subprocess
    raise missing_extra(error, "sql") from error
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql.expression import Executable

from .base import (
    Account,
    AdapterSession,
    NewUser,
    NotFoundError,
    User,
    VerificationToken,
    now,
    utc,
)
from .sql_engine import make_engine
from .sql_errors import mapped_errors
from .sql_read import SessionReader
from .sql_schema import UTCDateTime as UTCDateTime
from .sql_schema import tables as _tables
from .sql_state import SQLSharedState
from .storable import check_storable, check_user_changes, lookup

__all__ = ["SQLAdapter"]


class SQLAdapter:
    """Adapter for SQLite and PostgreSQL.

    :param url_or_engine: a SQLAlchemy URL (``sqlite:///auth.db``,
        ``postgresql://user@host/db`` — rewritten to psycopg 3), a plain SQLite file path, or an
        :class:`~sqlalchemy.engine.Engine` you own.
    :param table_prefix: prefix of the table names.
    :param create_tables: run :meth:`create_all` now.
    :param engine_options: extra :func:`sqlalchemy.create_engine` keywords, e.g. the pool of
        each process: ``{"pool_size": 5, "max_overflow": 10}`` (SQLAlchemy's defaults).
    :param timeout: seconds for connecting, waiting on a lock (SQLite) or for a pooled
        connection; past it the call raises :class:`AdapterUnavailable`.
    :param purge_interval: expired verification tokens are deleted when a token is created, at
        most once per this many seconds in each process; ``None`` leaves it to you.
    """

    def __init__(
        self,
        url_or_engine: str | Path | Engine,
        *,
        table_prefix: str = "authmw_",
        create_tables: bool = False,
        engine_options: dict[str, Any] | None = None,
        timeout: float = 5.0,
        purge_interval: float | None = 600.0,
    ) -> None:
        self._owns_engine = not isinstance(url_or_engine, Engine)
        if isinstance(url_or_engine, Engine):
            self.engine = url_or_engine
        else:
            self.engine = make_engine(url_or_engine, timeout, dict(engine_options or {}))
        self.metadata = sa.MetaData()
        self.users, self.accounts, self.sessions, self.tokens, state = _tables(
            self.metadata, table_prefix
        )
        #: Revocation list, replay markers and throttle counters (:mod:`authmw.state`).
        self.shared_state = SQLSharedState(state, self._begin)
        self._reader = SessionReader(self.engine, self.sessions, self.users, state)
        self._token_purge = AtMostEvery(purge_interval)
        if create_tables:
            self.create_all()

    def __repr__(self) -> str:
        return f"SQLAdapter({self.engine.url.render_as_string(hide_password=True)!r})"

    @contextmanager
    def _begin(self) -> Iterator[Connection]:
        """A transaction; driver errors become adapter errors without SQL parameters."""
        with mapped_errors(), self.engine.begin() as conn:
            yield conn

    def _first(self, statement: Executable) -> Any:
        """The first row (or ``None``) of one statement in its own transaction."""
        with self._begin() as conn:
            return conn.execute(statement).first()

    def _run(self, *statements: Executable) -> None:
        with self._begin() as conn:
            for statement in statements:
                conn.execute(statement)

    def create_all(self) -> None:
        """Create the tables and indexes that do not exist yet."""
        with self._begin() as conn:
            self.metadata.create_all(conn)

    def ping(self) -> None:
        """One round trip, leaving no connection in the pool (safe before a fork: gunicorn
        ``--preload``). :raises AdapterUnavailable: the database does not answer."""
        try:
            with self._begin() as conn:
                conn.execute(sa.text("SELECT 1"))
        finally:
            if not isinstance(self.engine.pool, StaticPool):  # in-memory SQLite lives in it
                self.engine.dispose()

    def missing_tables(self) -> list[str]:
        """Names of this adapter's tables that the database lacks (``authmw check``).
        :raises AdapterUnavailable: the database does not answer."""
        with self._begin() as conn:
            present = set(sa.inspect(conn).get_table_names())
        return [table.name for table in self.metadata.sorted_tables if table.name not in present]

    def drop_all(self) -> None:
        """Drop the adapter's tables (tests and tear-down)."""
        with self._begin() as conn:
            self.metadata.drop_all(conn)

    def close(self) -> None:
        """Dispose of the connection pool if the adapter created the engine."""
        if self._owns_engine:
            self.engine.dispose()

    # Users

    def create_user(self, user: NewUser) -> User:
        check_storable(user)
        values = asdict(user) | {"id": user.id or uuid.uuid4().hex}
        if user.email_verified is not None:
            values["email_verified"] = utc(user.email_verified)
        row = self._first(self.users.insert().values(values).returning(self.users))
        assert row is not None
        return User(**row._asdict())

    def _user_where(self, condition: Any) -> User | None:
        row = self._first(sa.select(self.users).where(condition))
        return User(**row._asdict()) if row else None

    @lookup
    def get_user(self, id: str) -> User | None:
        return self._user_where(self.users.c.id == id)

    @lookup
    def get_user_by_email(self, email: str) -> User | None:
        return self._user_where(self.users.c.email == email)

    @lookup
    def get_user_by_account(self, provider: str, provider_account_id: str) -> User | None:
        a = self.accounts.c
        linked = sa.select(a.user_id).where(
            a.provider == provider, a.provider_account_id == provider_account_id
        )
        return self._user_where(self.users.c.id == linked.scalar_subquery())

    def update_user(self, id: str, **changes: Any) -> User:
        changes = check_user_changes(changes)
        if not changes:
            user = self.get_user(id)
        else:
            update = self.users.update().where(self.users.c.id == id).values(changes)
            row = self._first(update.returning(self.users))
            user = User(**row._asdict()) if row else None
        if user is None:
            raise NotFoundError("no such user")
        return user

    @lookup
    def delete_user(self, id: str) -> None:
        # Explicit deletes, so the cascade holds even on connections without FK enforcement.
        self._run(
            self.accounts.delete().where(self.accounts.c.user_id == id),
            self.sessions.delete().where(self.sessions.c.user_id == id),
            self.users.delete().where(self.users.c.id == id),
        )

    # Accounts

    def link_account(self, account: Account) -> Account:
        check_storable(account)
        if self.get_user(account.user_id) is None:
            raise NotFoundError("no such user")
        self._run(self.accounts.insert().values(asdict(account)))
        return account

    @lookup
    def unlink_account(self, provider: str, provider_account_id: str) -> None:
        a = self.accounts.c
        linked = (a.provider == provider, a.provider_account_id == provider_account_id)
        self._run(self.accounts.delete().where(*linked))

    # Sessions

    def create_session(self, session_token: str, user_id: str, expires: datetime) -> AdapterSession:
        check_storable(session_token, user_id)
        session = AdapterSession(session_token, user_id, utc(expires))
        if self.get_user(user_id) is None:
            raise NotFoundError("no such user")
        self._run(self.sessions.insert().values(asdict(session)))
        return session

    @lookup
    def get_session_and_user(self, session_token: str) -> tuple[AdapterSession, User] | None:
        found = self.load_session(session_token)
        return None if found is None else found[:2]

    @lookup
    def load_session(
        self, session_token: str, state_key: str | None = None
    ) -> tuple[AdapterSession, User, str | None] | None:
        """The live session, its user and the live shared-state value *state_key*: one
        statement, one round trip (:mod:`authmw.adapters.sql_read`)."""
        with mapped_errors():
            found = self._reader.read(session_token, state_key)
        if found is None:
            return None
        session, user, value = found
        if session.expires <= now():
            s = self.sessions.c  # only if no renewal moved the expiry meanwhile
            self._run(
                self.sessions.delete().where(s.session_token == session_token, s.expires <= now())
            )
            return None
        return session, user, value

    @lookup
    def update_session(self, session_token: str, expires: datetime) -> AdapterSession | None:
        s = self.sessions.c
        update = self.sessions.update().where(s.session_token == session_token)
        row = self._first(update.values(expires=utc(expires)).returning(self.sessions))
        return AdapterSession(**row._asdict()) if row else None

    @lookup
    def delete_session(self, session_token: str) -> None:
        self._run(self.sessions.delete().where(self.sessions.c.session_token == session_token))

    @lookup
    def delete_sessions_of_user(self, user_id: str) -> None:
        self._run(self.sessions.delete().where(self.sessions.c.user_id == user_id))

    # Verification tokens

    def create_verification_token(self, token: VerificationToken) -> VerificationToken:
        check_storable(token)
        token = VerificationToken(token.identifier, token.token, utc(token.expires))
        expired = self.tokens.delete().where(self.tokens.c.expires <= now())
        purge = [expired] if self._token_purge.due() else []  # cheap: expires is indexed
        self._run(*purge, self.tokens.insert().values(asdict(token)))
        return token

    @lookup
    def use_verification_token(self, identifier: str, token: str) -> VerificationToken | None:
        t = self.tokens.c
        delete = self.tokens.delete().where(t.identifier == identifier, t.token == token)
        row = self._first(delete.returning(self.tokens))
        used = VerificationToken(**row._asdict()) if row is not None else None
        return used if used is not None and used.expires > now() else None

    def purge_expired(self) -> int:
        """Delete expired sessions, verification tokens, markers and counters; return how
        many rows went."""
        moment = now()
        with self._begin() as conn:
            gone = conn.execute(self.sessions.delete().where(self.sessions.c.expires <= moment))
            more = conn.execute(self.tokens.delete().where(self.tokens.c.expires <= moment))
            state = self.shared_state.purge_expired(conn)
        return int(gone.rowcount) + int(more.rowcount) + state
