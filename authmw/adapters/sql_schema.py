"""The SQL adapter's tables, on SQLAlchemy Core.

Schema (``{p}`` is ``table_prefix``, default ``authmw_``; all text columns use the default,
case-sensitive collation, so ``"AbC"`` and ``"abc"`` stay distinct — A-PS1)::

    {p}users                id TEXT PK (uuid4 hex), name TEXT, email TEXT UNIQUE,
                            email_verified TIMESTAMPTZ, image TEXT
    {p}accounts             PK (provider, provider_account_id),
                            user_id TEXT -> users.id ON DELETE CASCADE (indexed), type TEXT,
                            refresh_token, access_token TEXT, expires_at BIGINT, token_type,
                            scope, id_token, session_state TEXT
    {p}sessions             session_token TEXT PK (sha256 of the cookie token),
                            user_id TEXT -> users.id ON DELETE CASCADE (indexed),
                            expires TIMESTAMPTZ (indexed)
    {p}verification_tokens  PK (identifier, token), expires TIMESTAMPTZ (indexed)
    {p}shared_state         key TEXT PK, count BIGINT, value TEXT, expires TIMESTAMPTZ
                            (indexed): the JWT revocation list, replay markers, throttle
                            counters and identity-provider session links
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from .base import utc

__all__ = ["UTCDateTime", "tables"]


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Aware UTC datetimes in and out (SQLite stores naive UTC text)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def tables(
    metadata: sa.MetaData, p: str
) -> tuple[sa.Table, sa.Table, sa.Table, sa.Table, sa.Table]:
    users = sa.Table(
        f"{p}users",
        metadata,
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text),
        sa.Column("email", sa.Text, unique=True),
        sa.Column("email_verified", UTCDateTime),
        sa.Column("image", sa.Text),
    )

    def fk() -> sa.ForeignKey:
        return sa.ForeignKey(f"{p}users.id", ondelete="CASCADE")

    accounts = sa.Table(
        f"{p}accounts",
        metadata,
        sa.Column("provider", sa.Text, primary_key=True),
        sa.Column("provider_account_id", sa.Text, primary_key=True),
        sa.Column("user_id", sa.Text, fk(), nullable=False, index=True),
        sa.Column("type", sa.Text, nullable=False),
        *(sa.Column(name, sa.Text) for name in ("refresh_token", "access_token")),
        sa.Column("expires_at", sa.BigInteger),
        *(sa.Column(n, sa.Text) for n in ("token_type", "scope", "id_token", "session_state")),
    )
    sessions = sa.Table(
        f"{p}sessions",
        metadata,
        sa.Column("session_token", sa.Text, primary_key=True),
        sa.Column("user_id", sa.Text, fk(), nullable=False, index=True),
        sa.Column("expires", UTCDateTime, nullable=False, index=True),
    )
    tokens = sa.Table(
        f"{p}verification_tokens",
        metadata,
        sa.Column("identifier", sa.Text, primary_key=True),
        sa.Column("token", sa.Text, primary_key=True),
        sa.Column("expires", UTCDateTime, nullable=False, index=True),
    )
    shared_state = sa.Table(
        f"{p}shared_state",
        metadata,
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("count", sa.BigInteger, nullable=False),
        sa.Column("value", sa.Text),
        sa.Column("expires", UTCDateTime, nullable=False, index=True),
    )
    return users, accounts, sessions, tokens, shared_state
